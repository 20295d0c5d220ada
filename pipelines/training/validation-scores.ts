import type { ScoredSplit } from '../models/score-split.js';

/** Mean categorical cross-entropy of probabilities against labels, clipped as Keras does. */
export function crossEntropy(
  probabilities: Float32Array,
  labels: Uint8Array,
  classes: number,
): number {
  if (labels.length === 0) return NaN;
  let sum = 0;
  for (let r = 0; r < labels.length; r++) {
    const p = probabilities[r * classes + (labels[r] ?? 0)] ?? 0;
    sum -= Math.log(Math.min(1 - 1e-7, Math.max(1e-7, p)));
  }
  return sum / labels.length;
}

export function accuracy(predicted: Uint8Array, labels: Uint8Array): number {
  if (labels.length === 0) return NaN;
  let right = 0;
  for (let r = 0; r < labels.length; r++) if (predicted[r] === labels[r]) right++;
  return right / labels.length;
}

function mean(values: Float32Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length === 0 ? NaN : sum / values.length;
}

/** Validation loss and accuracy of each model, from one scoring pass over validation records. */
export function validationLosses(
  scored: ScoredSplit,
  classes: number,
  classificationWeight: number,
): { autoencoder: { loss: number; accuracy: number }; lstm: { loss: number; accuracy: number } } {
  const aeCrossEntropy = crossEntropy(scored.aeProbabilities, scored.labels, classes);
  return {
    autoencoder: {
      // The same joint loss the autoencoder trains on: reconstruction MSE + λ · cross-entropy.
      loss: mean(scored.reconstructionError) + classificationWeight * aeCrossEntropy,
      accuracy: accuracy(scored.aePredicted, scored.labels),
    },
    lstm: {
      loss: crossEntropy(scored.lstmProbabilities, scored.labels, classes),
      accuracy: accuracy(scored.lstmPredicted, scored.labels),
    },
  };
}
