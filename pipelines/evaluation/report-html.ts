import { MODEL_NAMES, TRAINED_MODEL_NAMES, describeData, meanAndSd } from './metrics-document.js';
import type {
  EpochRecord,
  MetricsDocument,
  ModelEvaluation,
  ModelName,
  TrainedModelName,
} from './metrics-document.js';
import { groupedBarChart } from './svg/bar-chart.js';
import { PALETTE, escapeXml as esc, percent, seriesStyle } from './svg/common.js';
import { heatmap } from './svg/heatmap.js';
import { lineChart } from './svg/line-chart.js';
import { formatAuc, rocChart } from './svg/roc-chart.js';
import { REPORT_CSS } from './report-style.js';

/** How the report names each model. */
export const MODEL_LABELS: Record<ModelName, string> = {
  autoencoder: 'Hybrid autoencoder',
  lstm: 'LSTM',
  ensemble: 'Weighted ensemble',
};

/** Options of `renderReport`. */
export interface ReportOptions {
  /** The page title. Default 'IoMT intrusion detection: evaluation report'. */
  title?: string;
}

/**
 * Renders a metrics document as one self-contained HTML page: inline CSS, inline SVG figures,
 * no script and no external resource, so it opens from disk or an e-mail attachment as it is.
 * Every figure and table says in its caption which data its numbers come from. Every string
 * from the document is escaped.
 */
export function renderReport(doc: MetricsDocument, options: ReportOptions = {}): string {
  const title = options.title ?? 'IoMT intrusion detection: evaluation report';
  const sections = [
    summarySection(doc),
    ensembleSection(doc),
    ...MODEL_NAMES.map((model) => modelSection(doc, model)),
    trainingSection(doc),
    crossValidationSection(doc),
  ];

  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title><style>${REPORT_CSS}</style></head>`,
    `<body><main>${header(doc, title)}${sections.join('')}</main></body></html>`,
  ].join('\n');
}

function header(doc: MetricsDocument, title: string): string {
  const data = doc.data;
  const facts: [string, string][] = [
    ['Data', data.source === 'generated' ? 'generated data set' : 'CICIoMT2024 CSV (real)'],
    ['Layout', `${data.layout} columns`],
    ['Scored on', data.split],
    ['Validation', data.validation],
    ['De-duplicated', data.deduplicated ? 'yes' : 'no'],
    ['Excluded features', data.excludedFeatures.join(', ') || 'none'],
    ['Classes', String(doc.classes.length)],
  ];
  const chips = facts
    .map(([name, value]) => `<div class="fact"><dt>${esc(name)}</dt><dd>${esc(value)}</dd></div>`)
    .join('');
  const warning =
    data.source === 'generated'
      ? '<p class="banner">These numbers come from <strong>generated</strong> data of the ' +
        'CICIoMT2024 layout, not from the real captures.</p>'
      : '';

  return (
    `<header><h1>${esc(title)}</h1><p class="subtitle">Created ${esc(doc.createdAt)}</p>` +
    `<dl class="facts">${chips}</dl>${warning}` +
    `<nav>${navigation()}</nav></header>`
  );
}

function navigation(): string {
  const links: [string, string][] = [
    ['summary', 'Summary'],
    ['ensemble', 'Ensemble and anomaly threshold'],
    ...MODEL_NAMES.map((m): [string, string] => [`model-${m}`, MODEL_LABELS[m]]),
    ['training', 'Training'],
    ['cross-validation', 'Cross-validation'],
  ];
  return links.map(([id, label]) => `<a href="#${id}">${esc(label)}</a>`).join('');
}

// A figure: the SVG, then what it shows and which data it comes from.
function figure(svg: string, what: string, provenance: string, wide = false): string {
  return (
    `<figure class="figure${wide ? ' wide' : ''}">${svg}<figcaption>${esc(what)} ` +
    `<span class="provenance">Data: ${esc(provenance)}.</span></figcaption></figure>`
  );
}

function tableCaption(what: string, provenance: string): string {
  return `<caption>${esc(what)} <span class="provenance">Data: ${esc(provenance)}.</span></caption>`;
}

function summarySection(doc: MetricsDocument): string {
  const columns: [string, (m: ModelEvaluation) => number | null, (v: number) => string][] = [
    ['Accuracy', (m) => m.metrics.accuracy, pct],
    ['Macro precision', (m) => m.metrics.macro.precision, pct],
    ['Macro recall', (m) => m.metrics.macro.recall, pct],
    ['Macro F1', (m) => m.metrics.macro.f1, pct],
    ['Weighted precision', (m) => m.metrics.weighted.precision, pct],
    ['Weighted recall', (m) => m.metrics.weighted.recall, pct],
    ['Weighted F1', (m) => m.metrics.weighted.f1, pct],
    ['Macro AUC', (m) => m.roc.macroAuc, formatAuc],
  ];
  const best = columns.map(([, get]) =>
    Math.max(...MODEL_NAMES.map((model) => get(doc.models[model]) ?? -Infinity)),
  );

  const rows = MODEL_NAMES.map((model) => {
    const cells = columns.map(([, get, format], c) => {
      const value = get(doc.models[model]);
      const css = value !== null && value === best[c] ? 'num best' : 'num';
      return `<td class="${css}">${formatMaybe(value, format)}</td>`;
    });
    return `<tr><th scope="row">${modelName(model)}</th>${cells.join('')}</tr>`;
  });

  const head = columns.map(([name]) => `<th scope="col" class="num">${esc(name)}</th>`).join('');
  const rowsScored = doc.models.ensemble.metrics.rows;
  const caption = tableCaption(
    `Headline scores of the three models on ${rowsScored.toLocaleString('en-US')} rows; ` +
      'macro averages weigh every class alike (classes without rows included as 0), weighted ' +
      'averages weigh classes by their rows. Best per column in bold.',
    describeData(doc.data),
  );
  return section(
    'summary',
    'Summary',
    `<table class="scores">${caption}<thead><tr><th scope="col">Model</th>${head}</tr></thead>` +
      `<tbody>${rows.join('')}</tbody></table>`,
  );
}

function ensembleSection(doc: MetricsDocument): string {
  const { ensembleWeights: w, anomaly: a } = doc;
  const weights =
    `<div class="card"><h3>Ensemble weights</h3><dl class="pairs">` +
    pair(MODEL_LABELS.autoencoder, w.autoencoder.toFixed(3)) +
    pair(MODEL_LABELS.lstm, w.lstm.toFixed(3)) +
    pair('How they were set', w.formula) +
    `</dl>${weightBar(w.autoencoder, w.lstm)}</div>`;
  const anomaly =
    `<div class="card"><h3>Anomaly threshold (reconstruction error)</h3><dl class="pairs">` +
    pair('Threshold', formatNumber(a.threshold)) +
    pair('Set at', `quantile ${formatNumber(a.quantile)} of benign validation rows`) +
    pair('Rows flagged', formatMaybe(a.flaggedRate, pct)) +
    pair('Benign rows flagged', formatMaybe(a.flaggedRateOnBenign, pct)) +
    `</dl></div>`;

  const note =
    `<p class="note">Flagged shares are on the scored rows. ` +
    `<span class="provenance">Data: ${esc(describeData(doc.data))}.</span></p>`;
  return section(
    'ensemble',
    'Ensemble and anomaly threshold',
    `<div class="cards">${weights}${anomaly}</div>${note}`,
  );
}

function pair(name: string, value: string): string {
  return `<dt>${esc(name)}</dt><dd>${esc(value)}</dd>`;
}

// The two weights as one stacked bar; HTML and CSS only, it is not a figure.
function weightBar(autoencoder: number, lstm: number): string {
  const total = autoencoder + lstm;
  if (!(total > 0)) return '';
  const share = (autoencoder / total) * 100;
  return (
    `<div class="weight-bar" aria-hidden="true">` +
    `<span style="width:${share.toFixed(2)}%;background:${PALETTE.models.autoencoder}"></span>` +
    `<span style="width:${(100 - share).toFixed(2)}%;background:${PALETTE.models.lstm}"></span>` +
    `</div>`
  );
}

// Past this many classes the confusion matrix and the ROC curves each take the full width.
const SIDE_BY_SIDE_CLASSES = 8;

function modelSection(doc: MetricsDocument, model: ModelName): string {
  const evaluation = doc.models[model];
  const provenance = describeData(doc.data);
  const label = MODEL_LABELS[model];
  const wide = doc.classes.length > SIDE_BY_SIDE_CLASSES;

  const confusion = figure(
    heatmap({
      id: `fig-confusion-${model}`,
      title: `Confusion matrix: ${label}`,
      rowLabels: doc.classes,
      columnLabels: doc.classes,
      values: evaluation.metrics.confusion,
      xLabel: 'predicted class',
      yLabel: 'true class',
      width: wide ? 1080 : 560,
    }),
    `Confusion matrix of the ${label}: counts of rows per true class (rows) and predicted class ` +
      "(columns); colour and percentage are the share of the true class's rows.",
    provenance,
    wide,
  );
  const roc = figure(rocFigure(doc, model, wide), rocCaption(doc, model), provenance, wide);
  const perClass = figure(
    perClassFigure(doc, model),
    perClassCaption(doc, model),
    provenance,
    true,
  );

  return section(
    `model-${model}`,
    label,
    (wide ? confusion + roc : `<div class="pair">${confusion}${roc}</div>`) +
      perClass +
      perClassTable(doc, model),
  );
}

function rocFigure(doc: MetricsDocument, model: ModelName, wide: boolean): string {
  const evaluation = doc.models[model];
  return rocChart({
    id: `fig-roc-${model}`,
    legend: wide ? 'right' : 'below',
    title: `One-vs-rest ROC curves: ${MODEL_LABELS[model]}`,
    curves: evaluation.roc.classes.map((entry, i) => {
      const style = seriesStyle(i);
      return {
        name: entry.name,
        color: style.color,
        dash: style.dash,
        auc: entry.auc,
        ...(entry.reason !== undefined && { note: entry.reason }),
        fpr: entry.curve?.fpr ?? [],
        tpr: entry.curve?.tpr ?? [],
      };
    }),
  });
}

function rocCaption(doc: MetricsDocument, model: ModelName): string {
  const roc = doc.models[model].roc;
  const macro = roc.macroAuc === null ? 'none' : formatAuc(roc.macroAuc);
  return (
    `One-vs-rest ROC curve of each class for the ${MODEL_LABELS[model]}, scored by the class ` +
    `probability; AUC computed on the full curves (drawn thinned to at most ${roc.maxPoints} ` +
    `points), macro AUC ${macro}.`
  );
}

function perClassFigure(doc: MetricsDocument, model: ModelName): string {
  const perClass = doc.models[model].metrics.perClass;
  const colors = PALETTE.metrics;
  return groupedBarChart({
    id: `fig-perclass-${model}`,
    title: `Per-class precision, recall and F1: ${MODEL_LABELS[model]}`,
    groups: perClass.map((m) => m.name),
    mutedGroups: perClass.map((m) => m.zeroSupport),
    series: [
      { name: 'precision', color: colors.precision, values: perClass.map((m) => m.precision) },
      { name: 'recall', color: colors.recall, values: perClass.map((m) => m.recall) },
      { name: 'F1', color: colors.f1, values: perClass.map((m) => m.f1) },
    ],
    yLabel: 'score',
    yFormat: (v) => v.toFixed(1),
  });
}

function perClassCaption(doc: MetricsDocument, model: ModelName): string {
  const { zeroDivision, perClass } = doc.models[model].metrics;
  const notes: string[] = [];
  const empty = perClass.filter((m) => m.zeroSupport).map((m) => m.name);
  if (empty.length > 0) notes.push(`no rows of ${empty.join(', ')} in this split (recall 0)`);
  if (zeroDivision.precision.length > 0) {
    notes.push(`never predicted, precision set to 0: ${zeroDivision.precision.join(', ')}`);
  }
  const suffix = notes.length > 0 ? ` Zero divisions count as 0: ${notes.join('; ')}.` : '';
  return `Precision, recall and F1 of each class for the ${MODEL_LABELS[model]}.${suffix}`;
}

function perClassTable(doc: MetricsDocument, model: ModelName): string {
  const evaluation = doc.models[model];
  const aucs = new Map(evaluation.roc.classes.map((c) => [c.name, c.auc]));
  const rows = evaluation.metrics.perClass.map(
    (m) =>
      `<tr${m.zeroSupport ? ' class="muted"' : ''}><th scope="row">${esc(m.name)}</th>` +
      `<td class="num">${m.support.toLocaleString('en-US')}</td>` +
      `<td class="num">${m.predicted.toLocaleString('en-US')}</td>` +
      `<td class="num">${pct(m.precision)}</td><td class="num">${pct(m.recall)}</td>` +
      `<td class="num">${pct(m.f1)}</td>` +
      `<td class="num">${formatMaybe(aucs.get(m.name) ?? null, formatAuc)}</td></tr>`,
  );
  const caption = tableCaption(
    `Per-class scores of the ${MODEL_LABELS[model]}.`,
    describeData(doc.data),
  );
  return (
    `<details><summary>Per-class table</summary><table class="scores">${caption}<thead><tr>` +
    '<th scope="col">Class</th>' +
    ['Rows', 'Predicted', 'Precision', 'Recall', 'F1', 'AUC']
      .map((name) => `<th scope="col" class="num">${name}</th>`)
      .join('') +
    `</tr></thead><tbody>${rows.join('')}</tbody></table></details>`
  );
}

function trainingSection(doc: MetricsDocument): string {
  const provenance = describeData(
    doc.data,
    `training rows (balanced) and validation rows (${doc.data.validation}) of the official ` +
      'training split',
  );
  const figures = TRAINED_MODEL_NAMES.map((model) =>
    figure(
      trainingFigure(model, doc.training[model]),
      `Training curves of the ${MODEL_LABELS[model]}: loss and accuracy per epoch on the ` +
        'training rows (solid) and the validation rows (dashed).',
      provenance,
      true,
    ),
  );
  return section('training', 'Training', figures.join(''));
}

function trainingFigure(model: TrainedModelName, epochs: readonly EpochRecord[]): string {
  const color = PALETTE.models[model];
  const series = (
    get: (e: EpochRecord) => number,
    name: string,
    dash?: string,
  ): { name: string; color: string; dash?: string; points: [number, number][] } => ({
    name,
    color,
    ...(dash !== undefined && { dash }),
    points: epochs.map((e) => [e.epoch, finiteOr(get(e))]),
  });
  const accuracies = epochs.flatMap((e) => [e.accuracy, e.validationAccuracy]);
  const low = Math.min(1, ...accuracies.filter(Number.isFinite));

  return lineChart({
    id: `fig-training-${model}`,
    title: `Training curves: ${MODEL_LABELS[model]}`,
    panels: [
      {
        title: 'Loss',
        xLabel: 'epoch',
        yLabel: 'loss',
        series: [
          series((e) => e.loss, 'training'),
          series((e) => e.validationLoss, 'validation', '6 4'),
        ],
      },
      {
        title: 'Accuracy',
        xLabel: 'epoch',
        yLabel: 'accuracy',
        series: [
          series((e) => e.accuracy, 'training'),
          series((e) => e.validationAccuracy, 'validation', '6 4'),
        ],
        // From a round share below the lowest accuracy up to 1, so the curves fill the panel.
        yDomain: [Math.max(0, Math.floor(low * 10 - 0.5) / 10), 1],
        yFormat: (v) => percent(v, 0),
      },
    ],
  });
}

// JSON turns NaN into null; a gap in the line is what either should become.
function finiteOr(value: number | null): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : Number.NaN;
}

function crossValidationSection(doc: MetricsDocument): string {
  const cv = doc.crossValidation;
  if (!cv) {
    return section(
      'cross-validation',
      'Cross-validation',
      '<p class="note">This evaluation ran no cross-validation.</p>',
    );
  }

  const folds = Array.from(
    { length: cv.folds },
    (_, f) => `<th scope="col" class="num">fold ${f + 1}</th>`,
  );
  const rows = MODEL_NAMES.map((model, j) => {
    const accuracies = cv.accuracies[model] ?? [];
    const { mean, sd } = meanAndSd(accuracies);
    const cells = accuracies.map((a) => `<td class="num">${pct(a)}</td>`).join('');
    const rank = cv.friedman.meanRanks[j];
    return (
      `<tr><th scope="row">${modelName(model)}</th>${cells}` +
      `<td class="num strong">${pct(mean)} ± ${(sd * 100).toFixed(2)}</td>` +
      `<td class="num">${formatMaybe(rank ?? null, (r) => r.toFixed(2))}</td></tr>`
    );
  });

  const provenance = describeData(
    doc.data,
    `${cv.folds} stratified folds of capture blocks of the official training split`,
  );
  const caption = tableCaption(
    `Accuracy of each model on each of ${cv.folds} folds; mean ± sample standard deviation ` +
      '(n − 1) in percentage points; mean Friedman rank (1 = best).',
    provenance,
  );
  const table =
    `<table class="scores">${caption}<thead><tr><th scope="col">Model</th>${folds.join('')}` +
    '<th scope="col" class="num">mean ± sd</th><th scope="col" class="num">mean rank</th>' +
    '</tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>`;
  return section('cross-validation', 'Cross-validation', table + friedmanNote(doc));
}

function friedmanNote(doc: MetricsDocument): string {
  const f = doc.crossValidation?.friedman;
  if (!f) return '';
  const correction =
    f.tieCorrection < 1 ? `tie-corrected (factor ${f.tieCorrection.toFixed(3)})` : 'no ties';
  return (
    `<p class="stat">Friedman test over the fold accuracies: <strong>χ² = ` +
    `${f.chiSquare.toFixed(2)}</strong>, ${f.degreesOfFreedom} degrees of freedom, ` +
    `<strong>p = ${formatP(f.pValue)}</strong> (${esc(correction)}; ${f.blocks} folds × ` +
    `${f.treatments} models).</p>`
  );
}

function section(id: string, title: string, body: string): string {
  return `<section id="${esc(id)}"><h2>${esc(title)}</h2>${body}</section>`;
}

function modelName(model: ModelName): string {
  return `<span class="swatch" style="background:${PALETTE.models[model]}"></span>${esc(MODEL_LABELS[model])}`;
}

function pct(value: number): string {
  return Number.isFinite(value) ? percent(value, 2) : '—';
}

function formatMaybe(value: number | null | undefined, format: (v: number) => string): string {
  return typeof value === 'number' && Number.isFinite(value) ? format(value) : '—';
}

/** Four significant digits, in exponent form when very small or large. */
function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const size = Math.abs(value);
  return size !== 0 && (size < 1e-3 || size >= 1e6)
    ? value.toExponential(3)
    : String(Number(value.toPrecision(4)));
}

function formatP(p: number): string {
  if (!Number.isFinite(p)) return '—';
  return p >= 0.001 ? p.toFixed(4) : p.toExponential(2);
}
