import { InvalidInputError, InvalidOptionError } from '../../schemas/errors.js';

/** The unknown-attack flag: a reconstruction error above `threshold`. */
export interface AnomalyThreshold {
  threshold: number;
  /** Quantile of the benign validation records' reconstruction errors it was fitted at. */
  quantile: number;
  /** Benign validation records it was fitted on. */
  fittedOn: number;
}

/** The q-quantile with linear interpolation between order statistics (type 7, numpy's default). */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) throw new RangeError('quantile of no values');
  const sorted = Float64Array.from(values).sort();
  const at = q * (sorted.length - 1);
  const low = Math.floor(at);
  const high = Math.min(low + 1, sorted.length - 1);
  return (sorted[low] ?? 0) + (at - low) * ((sorted[high] ?? 0) - (sorted[low] ?? 0));
}

/**
 * Fits the threshold on benign validation records only: traffic the autoencoder reconstructs
 * worse than nearly all known-benign traffic is flagged, whatever class the models predict.
 */
export function fitAnomalyThreshold(benignErrors: ArrayLike<number>, q = 0.99): AnomalyThreshold {
  if (!(q > 0 && q < 1))
    throw new InvalidOptionError('anomalyQuantile', `must be in (0, 1), got ${q}`);
  if (benignErrors.length === 0) {
    throw new InvalidInputError({
      code: 'INSUFFICIENT_DATA',
      message: 'no benign validation records to fit the unknown-attack threshold on',
    });
  }
  return { threshold: quantile(benignErrors, q), quantile: q, fittedOn: benignErrors.length };
}
