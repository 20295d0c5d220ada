import { InvalidOptionError } from '../../schemas/errors.js';

/** How much each model's class probabilities count in the ensemble; the weights sum to 1. */
export interface EnsembleWeights {
  autoencoder: number;
  lstm: number;
  formula: string;
}

export const WEIGHT_FORMULA =
  'w_m = F1_m / (F1_autoencoder + F1_lstm), F1 = macro F1 on the validation split';

/**
 * Weights proportional to each model's macro F1 on validation records: a model that
 * classifies validation records better counts for more, and a useless one (F1 0) for nothing.
 * With both at 0 the weights are equal.
 */
export function ensembleWeights(validationF1: {
  autoencoder: number;
  lstm: number;
}): EnsembleWeights {
  const { autoencoder, lstm } = validationF1;
  for (const [name, value] of Object.entries(validationF1)) {
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      throw new InvalidOptionError(`validationF1.${name}`, `must be in [0, 1], got ${value}`);
    }
  }
  const sum = autoencoder + lstm;
  if (sum === 0) return { autoencoder: 0.5, lstm: 0.5, formula: WEIGHT_FORMULA };
  return { autoencoder: autoencoder / sum, lstm: lstm / sum, formula: WEIGHT_FORMULA };
}

/** `w_ae * p_ae + w_lstm * p_lstm`, element by element. */
export function combineProbabilities(
  weights: EnsembleWeights,
  ae: Float32Array,
  lstm: Float32Array,
): Float32Array {
  const out = new Float32Array(ae.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = weights.autoencoder * (ae[i] ?? 0) + weights.lstm * (lstm[i] ?? 0);
  }
  return out;
}
