export { friedmanTest } from './friedman.js';
export type { FriedmanResult } from './friedman.js';
export { argmaxRows, checkClassIndices, classificationMetrics } from './metrics.js';
export type {
  ClassificationMetrics,
  ClassMetrics,
  PrecisionRecallF1,
  ZeroDivision,
} from './metrics.js';
export {
  METRICS_FORMAT,
  METRICS_VERSION,
  MODEL_NAMES,
  TRAINED_MODEL_NAMES,
  describeData,
  evaluateModel,
  meanAndSd,
  rocForDocument,
} from './metrics-document.js';
export type {
  AnomalySummary,
  CrossValidationSummary,
  DataProvenance,
  DocumentClassRoc,
  DocumentCurve,
  DocumentRoc,
  EpochRecord,
  EvaluateModelOptions,
  MetricsDocument,
  ModelEvaluation,
  ModelName,
  TrainedModelName,
} from './metrics-document.js';
export { MODEL_LABELS, renderReport } from './report-html.js';
export type { ReportOptions } from './report-html.js';
export { oneVsRest, rocCurve, thinCurve } from './roc.js';
export type { ClassRoc, OneVsRestRoc, Roc, RocCurve } from './roc.js';
