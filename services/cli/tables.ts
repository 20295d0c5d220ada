import Table from 'cli-table3';

import type { IngestSummary } from '../../pipelines/arrow/ingest.js';
import type { ClassificationMetrics } from '../../pipelines/evaluation/metrics.js';
import {
  describeData,
  meanAndSd,
  MODEL_NAMES,
  type CrossValidationSummary,
  type MetricsDocument,
} from '../../pipelines/evaluation/metrics-document.js';
import { MODEL_LABELS } from '../../pipelines/evaluation/report-html.js';
import type { TrainingResult } from '../../pipelines/training/write-bundle.js';
import type { Preparation } from '../../pipelines/training/prepare.js';
import { CLASSES_6 } from '../../schemas/taxonomy.js';

const n = (value: number) => value.toLocaleString('en-US');

/** Colours only on a terminal, so piped output stays plain text. */
function makeTable(head: string[]): Table.Table {
  const style = process.stdout.isTTY ? {} : { style: { head: [], border: [] } };
  return new Table({ head, ...style });
}

/** One line saying which data a table comes from. */
export function dataLine(
  source: string,
  layout: string,
  deduplicated: boolean,
  excluded: readonly string[],
): string {
  const what = source === 'generated' ? 'GENERATED data (not CICIoMT2024)' : 'CSV files';
  const dedupe = deduplicated ? 'exact duplicates removed' : 'duplicates kept';
  const features = excluded.length > 0 ? `excluded: ${excluded.join(', ')}` : 'all features';
  return `data: ${what}, ${layout}-column layout, ${dedupe}, ${features}`;
}

/** Rows per 6-class category and split after an ingest. */
export function ingestTable(summary: IngestSummary): string {
  const table = makeTable(['class (6)', 'train', 'test']);
  for (const name of CLASSES_6) {
    table.push([
      name,
      n(summary.splits.train?.classes6[name] ?? 0),
      n(summary.splits.test?.classes6[name] ?? 0),
    ]);
  }
  const total = (key: 'rows' | 'rejected' | 'duplicates') => [
    n(summary.splits.train?.[key] ?? 0),
    n(summary.splits.test?.[key] ?? 0),
  ];
  table.push(['rows written', ...total('rows')]);
  table.push(['rows rejected', ...total('rejected')]);
  table.push(['duplicates dropped', ...total('duplicates')]);
  const line = dataLine(
    summary.source,
    summary.layout,
    summary.deduplicated,
    summary.excludedFeatures,
  );
  return `${line}\n${table.toString()}`;
}

/** Per-class counts of a prepared training split, before and after balancing. */
export function preparationTable(p: Preparation, testCounts?: Record<string, number>): string {
  const head = [`class (${p.classes})`, 'train', 'validation', 'balanced train'];
  if (testCounts) head.push('test');
  const table = makeTable(head);
  for (const c of p.counts) {
    const row = [c.name, n(c.train), n(c.validation), n(c.balanced)];
    if (testCounts) row.push(n(testCounts[c.name] ?? 0));
    table.push(row);
  }
  const sum = (pick: (c: Preparation['counts'][number]) => number) =>
    n(p.counts.reduce((s, c) => s + pick(c), 0));
  const totals = ['all', sum((c) => c.train), sum((c) => c.validation), sum((c) => c.balanced)];
  if (testCounts) totals.push(n(Object.values(testCounts).reduce((s, v) => s + v, 0)));
  table.push(totals);
  const line = dataLine(
    p.metadata.source,
    p.metadata.layout,
    p.metadata.deduplicated,
    p.metadata.excludedFeatures,
  );
  const split =
    'split: official train/test files; ' +
    `validation = ${p.validation.mode} of the training captures`;
  return `${line}\n${split}\n${table.toString()}`;
}

/** The scaler's statistics, one row per feature. */
export function scalerTable(p: Preparation, limit = Infinity): string {
  const json = p.scaler.toJSON();
  const table = makeTable(['feature', 'mean', 'std', '']);
  json.features.slice(0, limit).forEach((feature, i) => {
    const constant = json.constant.includes(feature) ? 'constant: scaled to 0' : '';
    table.push([
      feature,
      (json.means[i] ?? 0).toPrecision(6),
      (json.stds[i] ?? 0).toPrecision(6),
      constant,
    ]);
  });
  return table.toString();
}

/** Validation headline numbers of a training run, per model. */
export function trainingTable(result: TrainingResult): string {
  const { manifest } = result;
  const t = makeTable([
    'model (validation)',
    'accuracy',
    'macro F1',
    'weighted F1',
    'ensemble weight',
  ]);
  const rows: [string, ClassificationMetrics, string][] = [
    ['autoencoder', result.validation.autoencoder, manifest.ensemble.autoencoder.toFixed(3)],
    ['LSTM', result.validation.lstm, manifest.ensemble.lstm.toFixed(3)],
    ['ensemble', result.validation.ensemble, ''],
  ];
  for (const [name, m, weight] of rows) {
    t.push([name, m.accuracy.toFixed(4), m.macro.f1.toFixed(4), m.weighted.f1.toFixed(4), weight]);
  }
  const d = manifest.data;
  const line = dataLine(d.source, d.layout, d.deduplicated, d.excludedFeatures);
  const split = `split: validation = ${d.validation} of the training captures`;
  const { anomaly } = manifest;
  const threshold = `unknown-attack threshold: ${anomaly.threshold.toPrecision(4)} (q=${anomaly.quantile})`;
  return `${line}\n${split}\n${t.toString()}\n${threshold}\nbundle: ${result.dir}`;
}

/** Headline test metrics per model, with the data line the report's figures carry. */
export function evaluationTable(doc: MetricsDocument): string {
  const t = makeTable([
    'model (test)',
    'accuracy',
    'macro P',
    'macro R',
    'macro F1',
    'weighted F1',
    'macro AUC',
  ]);
  for (const name of MODEL_NAMES) {
    const { metrics, roc } = doc.models[name];
    t.push([
      MODEL_LABELS[name],
      metrics.accuracy.toFixed(4),
      metrics.macro.precision.toFixed(4),
      metrics.macro.recall.toFixed(4),
      metrics.macro.f1.toFixed(4),
      metrics.weighted.f1.toFixed(4),
      roc.macroAuc === null ? 'n/a' : roc.macroAuc.toFixed(4),
    ]);
  }
  const flagged =
    `unknown-attack flag: ${(doc.anomaly.flaggedRate * 100).toFixed(2)}% of records, ` +
    `${(doc.anomaly.flaggedRateOnBenign * 100).toFixed(2)}% of benign records`;
  return `data: ${describeData(doc.data)}\n${t.toString()}\n${flagged}`;
}

/** Fold accuracies per model, their mean and sd, and the Friedman test. */
export function crossValidationTable(cv: CrossValidationSummary): string {
  const head = ['model', ...cv.accuracies.autoencoder.map((_, k) => `fold ${k + 1}`), 'mean ± sd'];
  const t = makeTable(head);
  for (const name of MODEL_NAMES) {
    const values = cv.accuracies[name];
    const { mean, sd } = meanAndSd(values);
    t.push([
      MODEL_LABELS[name],
      ...values.map((v) => v.toFixed(4)),
      `${mean.toFixed(4)} ± ${sd.toFixed(4)}`,
    ]);
  }
  const f = cv.friedman;
  return (
    `${cv.folds}-fold cross-validation ` +
    '(accuracy, folds of capture blocks of the training split)\n' +
    `${t.toString()}\n` +
    `Friedman chi-square ${f.chiSquare.toFixed(3)} (df ${f.degreesOfFreedom}), ` +
    `p = ${f.pValue.toPrecision(4)}`
  );
}
