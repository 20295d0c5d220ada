import { InvalidOptionError } from '../../schemas/errors.js';
import type { Granularity } from '../../schemas/taxonomy.js';
import type { BalanceTarget } from '../features/balance.js';
import type { ValidationMode } from '../features/splits.js';

/** Named sets of defaults: the paper's settings, or a short run for demos and tests. */
export type TrainingProfile = 'paper' | 'quick';

/** Everything that decides what a training run does; written into the bundle's manifest. */
export interface TrainingConfig {
  profile: TrainingProfile;
  epochs: number;
  batchSize: number;
  /** T: records per LSTM window. */
  windowLength: number;
  classes: Granularity;
  seed: number;
  learningRate: number;
  /** λ in the autoencoder's joint loss: reconstruction MSE + λ · cross-entropy. */
  classificationWeight: number;
  /** Epochs without a better validation loss before a model stops; 0 never stops early. */
  patience: number;
  /** Quantile of benign validation reconstruction errors that sets the unknown-attack flag. */
  anomalyQuantile: number;
  validationFraction: number;
  validationMode: ValidationMode;
  blocksPerCapture: number;
  balanceTarget: BalanceTarget;
  /** LSTM units and the autoencoder's encoder widths. */
  lstmUnits: number;
  autoencoderUnits: [number, number, number];
  /** Windows held by the shuffle buffer; memory grows with it. */
  shuffleBufferRows: number;
}

const PAPER: TrainingConfig = {
  profile: 'paper',
  epochs: 50,
  batchSize: 64,
  windowLength: 10,
  classes: 6,
  seed: 1,
  learningRate: 1e-3,
  classificationWeight: 1,
  patience: 0,
  anomalyQuantile: 0.99,
  validationFraction: 0.2,
  validationMode: 'blocks',
  blocksPerCapture: 5,
  balanceTarget: 'median',
  lstmUnits: 64,
  autoencoderUnits: [64, 32, 16],
  shuffleBufferRows: 16_384,
};

export const TRAINING_PROFILES: Readonly<Record<TrainingProfile, TrainingConfig>> = {
  paper: PAPER,
  // A run of a minute or two on a small data set: fewer epochs over at most 1,000 training
  // windows per class.
  quick: { ...PAPER, profile: 'quick', epochs: 4, balanceTarget: 1000 },
};

function positiveInteger(option: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidOptionError(option, `must be a positive integer, got ${value}`);
  }
}

/** The profile's defaults under the given overrides, checked. */
export function resolveTrainingConfig(
  overrides: Partial<TrainingConfig> & { profile?: TrainingProfile },
): TrainingConfig {
  const base = TRAINING_PROFILES[overrides.profile ?? 'paper'];
  if (!base) throw new InvalidOptionError('profile', `must be paper or quick`);
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const config = { ...base, ...defined };

  positiveInteger('epochs', config.epochs);
  positiveInteger('batchSize', config.batchSize);
  positiveInteger('windowLength', config.windowLength);
  positiveInteger('lstmUnits', config.lstmUnits);
  positiveInteger('shuffleBufferRows', config.shuffleBufferRows);
  if (!Number.isInteger(config.patience) || config.patience < 0) {
    throw new InvalidOptionError('patience', `must be a non-negative integer`);
  }
  if (!(config.learningRate > 0)) throw new InvalidOptionError('learningRate', 'must be > 0');
  if (!(config.classificationWeight >= 0)) {
    throw new InvalidOptionError('classificationWeight', 'must be >= 0');
  }
  if (!(config.anomalyQuantile > 0 && config.anomalyQuantile < 1)) {
    throw new InvalidOptionError('anomalyQuantile', 'must be in (0, 1)');
  }
  return config;
}
