import { InvalidOptionError } from '../../schemas/errors.js';
import { requireLength } from './model-shape.js';

/**
 * The reconstruction error of each record: the mean squared difference between its `features`
 * values and their reconstruction, summed in float64. Both runners compute it here from the
 * model's reconstruction, so tfjs and ONNX Runtime agree on this step by construction.
 */
export function reconstructionError(
  records: Float32Array,
  reconstruction: Float32Array,
  rows: number,
  features: number,
): Float32Array {
  if (!Number.isInteger(features) || features < 1) {
    throw new InvalidOptionError('features', `must be a positive integer, got ${features}`);
  }
  const size = `${rows} rows × ${features} features`;
  requireLength('records', records, rows * features, size);
  requireLength('reconstruction', reconstruction, rows * features, size);

  const errors = new Float32Array(rows);
  for (let row = 0; row < rows; row++) {
    let sum = 0;
    for (let k = row * features, end = k + features; k < end; k++) {
      const diff = (records[k] as number) - (reconstruction[k] as number);
      sum += diff * diff;
    }
    errors[row] = sum / features;
  }
  return errors;
}
