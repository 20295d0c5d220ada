import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { pino, type Logger } from 'pino';

import { openFlowFile } from '../arrow/flow-reader.js';
import type { LabelColumn } from '../features/window-batches.js';
import { loadBundle, type LoadedBundle } from '../models/bundle.js';
import { createScorer, type ScoringEngine } from '../models/bundle-runner.js';
import { scoreSplit, type ScoredSplit } from '../models/score-split.js';
import {
  evaluateModel,
  METRICS_FORMAT,
  METRICS_VERSION,
  type AnomalySummary,
  type CrossValidationSummary,
  type MetricsDocument,
} from './metrics-document.js';
import { renderReport } from './report-html.js';

export interface EvaluateOptions {
  /** The model bundle folder. */
  bundle: string;
  /** Folder with `test.arrow` written by the ingest. */
  data: string;
  /** Where `metrics.json` and `report.html` go; default `<bundle>/evaluation`. */
  out?: string;
  /** Default 'onnx'. */
  engine?: ScoringEngine;
  /** Cross-validation results to put in the report, from `crossValidate`. */
  crossValidation?: CrossValidationSummary;
  logger?: Logger;
}

export interface Evaluation {
  document: MetricsDocument;
  metricsPath: string;
  reportPath: string;
  scored: ScoredSplit;
}

function labelColumnOf(bundle: LoadedBundle): LabelColumn {
  const g = bundle.manifest.granularity;
  return g === 19 ? 'label19' : g === 6 ? 'label6' : 'label2';
}

function anomalySummary(bundle: LoadedBundle, scored: ScoredSplit): AnomalySummary {
  let flagged = 0;
  let benign = 0;
  let benignFlagged = 0;
  for (let i = 0; i < scored.rows; i++) {
    const isBenign = scored.labels[i] === 0;
    flagged += scored.unknown[i] ?? 0;
    benign += isBenign ? 1 : 0;
    benignFlagged += isBenign ? (scored.unknown[i] ?? 0) : 0;
  }
  return {
    threshold: bundle.manifest.anomaly.threshold,
    quantile: bundle.manifest.anomaly.quantile,
    flaggedRate: scored.rows === 0 ? 0 : flagged / scored.rows,
    flaggedRateOnBenign: benign === 0 ? 0 : benignFlagged / benign,
  };
}

/**
 * Scores the official test split with a bundle (every record, each with the window of its
 * capture ending at it) and writes `metrics.json` and a self-contained `report.html`: each
 * model's metrics and ROC curves beside the ensemble's, the training curves, the unknown-attack
 * flag rates and, when given, the cross-validation table.
 */
export async function evaluateBundle(options: EvaluateOptions): Promise<Evaluation> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const file = await openFlowFile(join(options.data, 'test.arrow'));
  try {
    const bundle = await loadBundle(options.bundle, file.info);
    const scorer = await createScorer(bundle, { engine: options.engine ?? 'onnx', logger });
    let scored: ScoredSplit;
    try {
      scored = await scoreSplit(file.batches(), scorer, {
        scaler: bundle.scaler,
        info: file.info,
        windowLength: bundle.shape.windowLength,
        labels: labelColumnOf(bundle),
      });
    } finally {
      await scorer.dispose();
    }

    const { manifest } = bundle;
    const classes = manifest.classes;
    const document: MetricsDocument = {
      format: METRICS_FORMAT,
      version: METRICS_VERSION,
      data: {
        source: file.metadata.source,
        layout: file.metadata.layout,
        split: 'official test files',
        validation: manifest.data.validation,
        deduplicated: file.metadata.deduplicated,
        excludedFeatures: [...file.metadata.excludedFeatures],
      },
      classes,
      models: {
        autoencoder: evaluateModel(scored.aeProbabilities, scored.labels, classes),
        lstm: evaluateModel(scored.lstmProbabilities, scored.labels, classes),
        ensemble: evaluateModel(scored.probabilities, scored.labels, classes),
      },
      ensembleWeights: manifest.ensemble,
      anomaly: anomalySummary(bundle, scored),
      training: manifest.history,
      ...(options.crossValidation && { crossValidation: options.crossValidation }),
      createdAt: new Date().toISOString(),
    };

    const out = options.out ?? join(options.bundle, 'evaluation');
    await mkdir(out, { recursive: true });
    const metricsPath = join(out, 'metrics.json');
    const reportPath = join(out, 'report.html');
    await writeFile(metricsPath, `${JSON.stringify(document, null, 2)}\n`);
    await writeFile(reportPath, renderReport(document));
    logger.info({ metrics: metricsPath, report: reportPath }, 'evaluation written');
    return { document, metricsPath, reportPath, scored };
  } finally {
    await file.close();
  }
}
