import * as tf from '@tensorflow/tfjs';

import { classesOf } from '../../schemas/taxonomy.js';
import type { FlowFile } from '../arrow/flow-reader.js';
import { classificationMetrics } from '../evaluation/metrics.js';
import type { Scaler } from '../features/scaler.js';
import {
  selectionCounts,
  selectionMask,
  windowBatches,
  type LabelColumn,
} from '../features/window-batches.js';
import { fitAnomalyThreshold, type AnomalyThreshold } from '../models/anomaly.js';
import { buildAutoencoder } from '../models/autoencoder.js';
import { ensembleWeights, type EnsembleWeights } from '../models/ensemble.js';
import { buildLstm } from '../models/lstm.js';
import type { ModelShape } from '../models/model-shape.js';
import { scoreSplit, type ScoredSplit } from '../models/score-split.js';
import { Scorer } from '../models/scorer.js';
import { TfjsRunner } from '../models/tfjs-runner.js';
import type { TrainingConfig } from './config.js';
import { EarlyStopping } from './early-stopping.js';
import { shuffledMiniBatches } from './shuffle-buffer.js';
import { trainEpoch, type EpochFit } from './train-epoch.js';
import { validationLosses } from './validation-scores.js';

/** The rows of one split file that a training run learns from and validates on. */
export interface TrainingSet {
  scaler: Scaler;
  /** Per row of the file, its contiguous block: windows never cross from one into another. */
  segment: Int32Array;
  /** Balanced training rows, ascending, with repeats. */
  balancedRows: Uint32Array;
  validationRows: Uint32Array;
  /** Rows of the file. */
  rows: number;
}

/** Losses and accuracies of one epoch, per model, on the training and validation records. */
export interface EpochReport {
  epoch: number;
  autoencoder: EpochFit & { validationLoss: number; validationAccuracy: number };
  lstm: EpochFit & { validationLoss: number; validationAccuracy: number };
}

export interface FitHooks {
  onEpoch?: (epoch: EpochReport) => void;
  /** Within an epoch: samples trained so far, and the epoch's total. */
  onBatch?: (samples: number, total: number) => void;
}

/** Two trained models, how training went, and what validation says about them. */
export interface FittedModels {
  shape: ModelShape;
  autoencoder: tf.LayersModel;
  lstm: tf.LayersModel;
  /** Runs both models; disposing it disposes them. */
  runner: TfjsRunner;
  history: EpochReport[];
  validation: ScoredSplit;
  weights: EnsembleWeights;
  anomaly: AnomalyThreshold;
}

export function labelColumn(config: TrainingConfig): LabelColumn {
  return config.classes === 19 ? 'label19' : config.classes === 6 ? 'label6' : 'label2';
}

function compile(models: { autoencoder: tf.LayersModel; lstm: tf.LayersModel }, c: TrainingConfig) {
  // tfjs has no lossWeights: λ goes into the classification head's loss itself.
  const weightedCrossEntropy = (yTrue: tf.Tensor, yPred: tf.Tensor) =>
    tf.mul(c.classificationWeight, tf.metrics.categoricalCrossentropy(yTrue, yPred));
  models.autoencoder.compile({
    optimizer: tf.train.adam(c.learningRate),
    loss: [
      (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.metrics.meanSquaredError(yTrue, yPred),
      weightedCrossEntropy,
    ],
    metrics: { [models.autoencoder.outputNames[1] ?? 'head']: 'accuracy' },
  });
  models.lstm.compile({
    optimizer: tf.train.adam(c.learningRate),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
}

/** Scores the validation rows with each model's own outputs (no ensemble yet). */
function scoreValidation(
  file: FlowFile,
  runner: TfjsRunner,
  set: TrainingSet,
  c: TrainingConfig,
  shape: ModelShape,
) {
  const scorer = new Scorer({
    runner,
    shape,
    weights: { autoencoder: 0.5, lstm: 0.5, formula: '' },
    anomaly: { threshold: Infinity, quantile: c.anomalyQuantile, fittedOn: 0 },
  });
  return scoreSplit(file.batches(), scorer, {
    scaler: set.scaler,
    info: file.info,
    windowLength: c.windowLength,
    labels: labelColumn(c),
    segment: set.segment,
    multiplicity: selectionMask(set.validationRows, set.rows),
  });
}

/**
 * Trains a fresh autoencoder and LSTM on the balanced rows of a split file, validating both
 * each epoch; keeps each model's best epoch; then weighs the ensemble by validation macro F1
 * and fits the unknown-attack threshold on the benign validation records.
 */
export async function fitModels(
  file: FlowFile,
  set: TrainingSet,
  config: TrainingConfig,
  hooks: FitHooks = {},
): Promise<FittedModels> {
  const shape: ModelShape = {
    features: file.info.features.length,
    classes: classesOf(config.classes).length,
    windowLength: config.windowLength,
  };
  const autoencoder = buildAutoencoder({
    ...shape,
    units: config.autoencoderUnits,
    seed: config.seed,
  });
  const lstm = buildLstm({ ...shape, units: config.lstmUnits, seed: config.seed });
  compile({ autoencoder, lstm }, config);
  const runner = new TfjsRunner({ autoencoder, lstm, shape });

  try {
    const history = await runEpochs(file, set, { autoencoder, lstm, runner, shape }, config, hooks);
    const validation = await scoreValidation(file, runner, set, config, shape);
    const names = classesOf(config.classes);
    const f1 = (predicted: Uint8Array) =>
      classificationMetrics(validation.labels, predicted, names).macro.f1;
    const weights = ensembleWeights({
      autoencoder: f1(validation.aePredicted),
      lstm: f1(validation.lstmPredicted),
    });
    const benign = validation.reconstructionError.filter((_, i) => validation.labels[i] === 0);
    const anomaly = fitAnomalyThreshold(benign, config.anomalyQuantile);
    return { shape, autoencoder, lstm, runner, history, validation, weights, anomaly };
  } catch (error) {
    await runner.dispose();
    throw error;
  }
}

async function runEpochs(
  file: FlowFile,
  set: TrainingSet,
  models: {
    autoencoder: tf.LayersModel;
    lstm: tf.LayersModel;
    runner: TfjsRunner;
    shape: ModelShape;
  },
  config: TrainingConfig,
  hooks: FitHooks,
): Promise<EpochReport[]> {
  const multiplicity = selectionCounts(set.balancedRows, set.rows);
  const stops = {
    autoencoder: new EarlyStopping(models.autoencoder, config.patience),
    lstm: new EarlyStopping(models.lstm, config.patience),
  };
  const training = { autoencoder: true, lstm: true };
  const history: EpochReport[] = [];

  for (let epoch = 0; epoch < config.epochs && (training.autoencoder || training.lstm); epoch++) {
    const windows = windowBatches(file.batches(), {
      scaler: set.scaler,
      info: file.info,
      windowLength: config.windowLength,
      labels: labelColumn(config),
      segment: set.segment,
      multiplicity,
    });
    const miniBatches = shuffledMiniBatches(windows, {
      seed: config.seed,
      epoch,
      batchSize: config.batchSize,
      bufferRows: config.shuffleBufferRows,
    });
    const total = set.balancedRows.length;
    const fitted = await trainEpoch(
      { ...models, classes: models.shape.classes, training },
      miniBatches,
      (samples) => hooks.onBatch?.(samples, total),
    );

    const scored = await scoreValidation(file, models.runner, set, config, models.shape);
    const losses = validationLosses(scored, models.shape.classes, config.classificationWeight);
    const report: EpochReport = {
      epoch,
      autoencoder: {
        ...fitted.autoencoder,
        validationLoss: losses.autoencoder.loss,
        validationAccuracy: losses.autoencoder.accuracy,
      },
      lstm: {
        ...fitted.lstm,
        validationLoss: losses.lstm.loss,
        validationAccuracy: losses.lstm.accuracy,
      },
    };
    history.push(report);
    hooks.onEpoch?.(report);

    if (training.autoencoder) {
      training.autoencoder = stops.autoencoder.update(epoch, losses.autoencoder.loss);
    }
    if (training.lstm) training.lstm = stops.lstm.update(epoch, losses.lstm.loss);
  }

  stops.autoencoder.restore();
  stops.lstm.restore();
  return history;
}
