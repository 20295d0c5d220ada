import type { Random } from '../../pipelines/features/random.js';
import { friedmanTest } from '../../pipelines/evaluation/friedman.js';
import { MODEL_NAMES, evaluateModel } from '../../pipelines/evaluation/metrics-document.js';
import type {
  AnomalySummary,
  DataProvenance,
  EpochRecord,
  MetricsDocument,
  ModelName,
  TrainedModelName,
} from '../../pipelines/evaluation/metrics-document.js';
import type { EnsembleWeights } from '../../pipelines/models/ensemble.js';

/** Generated data in the 39-column layout, validation by blocks, de-duplicated, IAT excluded. */
export const SAMPLE_DATA: DataProvenance = {
  source: 'generated',
  layout: '39',
  split: 'official test files',
  validation: 'blocks',
  deduplicated: true,
  excludedFeatures: ['IAT'],
};

/**
 * Noisy class probabilities, `yTrue.length` rows of `k`, row-major: each row's logits are
 * standard normal draws from `random`, plus `skill` on the row's true class.
 */
export function classProbabilities(
  yTrue: Uint8Array,
  k: number,
  skill: number,
  random: Random,
): Float32Array {
  const out = new Float32Array(yTrue.length * k);
  yTrue.forEach((t, r) => {
    const logits = Array.from({ length: k }, (_, c) =>
      Math.exp((c === t ? skill : 0) + random.normal()),
    );
    const sum = logits.reduce((a, b) => a + b, 0);
    logits.forEach((v, c) => (out[r * k + c] = v / sum));
  });
  return out;
}

/** What `sampleDocument` builds a document from. */
export interface SampleDocumentOptions {
  classes: string[];
  /** The true class of each scored row. */
  yTrue: Uint8Array;
  /** Draws the noise of each model's probabilities, in MODEL_NAMES order. */
  random: Random;
  /** Default SAMPLE_DATA. */
  data?: DataProvenance;
  /** Per model, how far its probabilities favour the true class. Default 1, 2.5 and 3. */
  skills?: Record<ModelName, number>;
  /**
   * Per model, its accuracy on each fold. Default: 5 folds in which the ensemble beats the LSTM,
   * which beats the autoencoder.
   */
  accuracies?: Record<ModelName, number[]>;
  /** Default 0.4 and 0.6, with a formula that needs escaping. */
  ensembleWeights?: EnsembleWeights;
  /** Default threshold 0.0421, 1.1% of benign rows flagged. */
  anomaly?: AnomalySummary;
  /** Default 12 epochs of each model. */
  training?: Record<TrainedModelName, EpochRecord[]>;
}

/**
 * A metrics document as an evaluation writes it: every model evaluated on probabilities drawn
 * for `yTrue`, and cross-validation with the Friedman test over the fold accuracies.
 */
export function sampleDocument(options: SampleDocumentOptions): MetricsDocument {
  const { classes, yTrue, random } = options;
  const skills = options.skills ?? { autoencoder: 1, lstm: 2.5, ensemble: 3 };
  const accuracies = options.accuracies ?? {
    autoencoder: [0.81, 0.8, 0.82, 0.79, 0.8],
    lstm: [0.9, 0.89, 0.93, 0.88, 0.91],
    ensemble: [0.92, 0.9, 0.94, 0.89, 0.93],
  };
  const model = (m: ModelName) =>
    evaluateModel(classProbabilities(yTrue, classes.length, skills[m], random), yTrue, classes);
  const folds = accuracies.autoencoder.map((_, f) => MODEL_NAMES.map((m) => accuracies[m][f] ?? 0));

  return {
    format: 'iomt-metrics',
    version: 1,
    data: options.data ?? SAMPLE_DATA,
    classes,
    models: { autoencoder: model('autoencoder'), lstm: model('lstm'), ensemble: model('ensemble') },
    ensembleWeights: options.ensembleWeights ?? {
      autoencoder: 0.4,
      lstm: 0.6,
      formula: 'w < 1 & "validation F1"',
    },
    anomaly: options.anomaly ?? {
      threshold: 0.0421,
      quantile: 0.99,
      flaggedRate: 0.62,
      flaggedRateOnBenign: 0.011,
    },
    training: options.training ?? { autoencoder: epochs(12, 1.2), lstm: epochs(12, 0.9) },
    crossValidation: {
      folds: accuracies.autoencoder.length,
      accuracies,
      friedman: friedmanTest(folds),
    },
    createdAt: '2025-03-01T12:00:00.000Z',
  };
}

// Loss falling from `start` as 1/epoch, accuracy rising towards 0.9.
function epochs(count: number, start: number): EpochRecord[] {
  return Array.from({ length: count }, (_, e) => ({
    epoch: e + 1,
    loss: start / (e + 1),
    accuracy: 0.6 + 0.3 * (1 - 1 / (e + 1)),
    validationLoss: start / (e + 1) + 0.1,
    validationAccuracy: 0.55 + 0.3 * (1 - 1 / (e + 1)),
  }));
}
