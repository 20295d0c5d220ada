import { InvalidOptionError } from '../../schemas/errors.js';
import type { LayoutName } from '../../schemas/layouts.js';
import type { DataSource } from '../arrow/flow-schema.js';
import type { ValidationMode } from '../features/splits.js';
import type { EnsembleWeights } from '../models/ensemble.js';
import type { FriedmanResult } from './friedman.js';
import { argmaxRows, classificationMetrics } from './metrics.js';
import type { ClassificationMetrics } from './metrics.js';
import { oneVsRest, thinCurve } from './roc.js';
import type { OneVsRestRoc } from './roc.js';

/** The models of a bundle, in the order reports list them. */
export const MODEL_NAMES = ['autoencoder', 'lstm', 'ensemble'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];
/** The models that are trained (the ensemble only combines them). */
export type TrainedModelName = Exclude<ModelName, 'ensemble'>;
export const TRAINED_MODEL_NAMES = ['autoencoder', 'lstm'] as const;

/** `format` of a metrics document; a reader refuses any other. */
export const METRICS_FORMAT = 'iomt-metrics';
export const METRICS_VERSION = 1;

/** Which data every number of the document comes from; every figure's caption says it. */
export interface DataProvenance {
  source: DataSource;
  layout: LayoutName;
  /**
   * Which rows were scored, in words: 'official test files', 'validation blocks of the
   * training captures'.
   */
  split: string;
  /** How validation rows were carved from the training captures. */
  validation: ValidationMode;
  deduplicated: boolean;
  excludedFeatures: string[];
}

/** A plotting copy of an ROC curve: thinned, thresholds left out. */
export interface DocumentCurve {
  fpr: number[];
  tpr: number[];
}

/** One class's one-vs-rest ROC as stored: the AUC of the full curve, the thinned curve. */
export interface DocumentClassRoc {
  name: string;
  positives: number;
  negatives: number;
  auc: number | null;
  /** Why `auc` is null. */
  reason?: string;
  curve: DocumentCurve | null;
}

export interface DocumentRoc {
  classes: DocumentClassRoc[];
  /** Mean AUC over the classes that have one. */
  macroAuc: number | null;
  /** The most points a stored curve has. */
  maxPoints: number;
}

/** One model's evaluation on the document's split. */
export interface ModelEvaluation {
  metrics: ClassificationMetrics;
  roc: DocumentRoc;
}

/** The reconstruction-error alarm of the autoencoder. */
export interface AnomalySummary {
  /** Reconstruction error above which a record is flagged. */
  threshold: number;
  /** Quantile of the benign validation rows' reconstruction errors the threshold was set at. */
  quantile: number;
  /** Share of the split's rows flagged. */
  flaggedRate: number;
  /** Share of the split's benign rows flagged (false alarms). */
  flaggedRateOnBenign: number;
}

/** One epoch of training; validation is the rows carved from the training captures. */
export interface EpochRecord {
  /** 1-based. */
  epoch: number;
  loss: number;
  accuracy: number;
  validationLoss: number;
  validationAccuracy: number;
}

export interface CrossValidationSummary {
  folds: number;
  /** Per model, its accuracy on each fold, in fold order. */
  accuracies: Record<ModelName, number[]>;
  /** Over the fold accuracies, folds as blocks and models as treatments (MODEL_NAMES order). */
  friedman: FriedmanResult;
}

/** The content of `metrics.json`: what an evaluation measured, and on which data. */
export interface MetricsDocument {
  format: typeof METRICS_FORMAT;
  version: typeof METRICS_VERSION;
  data: DataProvenance;
  classes: string[];
  models: Record<ModelName, ModelEvaluation>;
  ensembleWeights: EnsembleWeights;
  anomaly: AnomalySummary;
  training: Record<TrainedModelName, EpochRecord[]>;
  crossValidation?: CrossValidationSummary;
  /** ISO 8601. */
  createdAt: string;
}

/** Options of `evaluateModel`. */
export interface EvaluateModelOptions {
  /** The most points kept of each ROC curve; integer >= 2. Default 200. */
  maxRocPoints?: number;
}

/**
 * Evaluates one model's class probabilities (row-major, rows x classes) against the true class
 * indices: metrics of the argmax predictions, and one-vs-rest ROC with the AUC of each full
 * curve and the curve thinned for the document.
 */
export function evaluateModel(
  probabilities: Float32Array,
  yTrue: ArrayLike<number>,
  classes: readonly string[],
  options: EvaluateModelOptions = {},
): ModelEvaluation {
  const maxPoints = options.maxRocPoints ?? 200;
  const roc = oneVsRest(probabilities, yTrue, classes);
  const predicted = argmaxRows(probabilities, classes.length);
  return {
    metrics: classificationMetrics(yTrue, predicted, classes),
    roc: rocForDocument(roc, maxPoints),
  };
}

/** The stored form of a one-vs-rest ROC: AUCs as computed on the full curves, curves thinned. */
export function rocForDocument(roc: OneVsRestRoc, maxPoints: number): DocumentRoc {
  if (!Number.isInteger(maxPoints) || maxPoints < 2) {
    throw new InvalidOptionError('maxRocPoints', `must be an integer >= 2, got ${maxPoints}`);
  }

  const classes = roc.classes.map((entry): DocumentClassRoc => {
    const { name, positives, negatives } = entry;
    if (entry.curve === null) {
      return { name, positives, negatives, auc: null, reason: entry.reason, curve: null };
    }
    const { fpr, tpr } = thinCurve(entry.curve, maxPoints);
    return { name, positives, negatives, auc: entry.auc, curve: { fpr, tpr } };
  });
  return { classes, macroAuc: roc.macroAuc, maxPoints };
}

/** Mean and sample standard deviation (n - 1; 0 for one value) of fold scores. */
export function meanAndSd(values: readonly number[]): { mean: number; sd: number } {
  if (values.length === 0) return { mean: Number.NaN, sd: Number.NaN };

  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  if (values.length === 1) return { mean, sd: 0 };
  const squares = values.reduce((sum, v) => sum + (v - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(squares / (values.length - 1)) };
}

const VALIDATION_WORDS: Record<ValidationMode, string> = {
  blocks: 'validation carved as contiguous blocks of every training capture',
  'capture-disjoint':
    'validation carved as whole training captures per label (single-capture labels by blocks)',
};

/**
 * The provenance of the document's numbers in one sentence, for captions. `scope` replaces the
 * scored split where a figure shows other rows (training curves, cross-validation folds).
 */
export function describeData(data: DataProvenance, scope?: string): string {
  const source =
    data.source === 'generated' ? 'generated data set' : 'CICIoMT2024 CSV files (real data)';
  const excluded =
    data.excludedFeatures.length > 0
      ? `features excluded: ${data.excludedFeatures.join(', ')}`
      : 'no features excluded';
  return [
    `${source}, ${data.layout}-column layout`,
    scope ?? `scored on: ${data.split}`,
    VALIDATION_WORDS[data.validation] ?? `validation: ${String(data.validation)}`,
    data.deduplicated ? 'de-duplicated' : 'not de-duplicated',
    excluded,
  ].join('; ');
}
