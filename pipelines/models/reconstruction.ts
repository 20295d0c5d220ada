import { InvalidInputError, InvalidOptionError } from '../../schemas/errors.js';
import { stepWidth, type ModelShape, type ScoreInput } from './model-shape.js';

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

/**
 * Checks that a batch to score has the sizes `shape` implies, before any model sees it: a
 * wrong length would otherwise surface as a reshape error deep in tfjs or ONNX Runtime.
 *
 * @throws InvalidInputError (code `FIELD_COUNT`) naming the array, its length and the expected one.
 */
export function checkScoreInput(input: ScoreInput, shape: ModelShape): void {
  const { rows } = input;
  if (!Number.isInteger(rows) || rows < 0) {
    throw new InvalidInputError({
      code: 'FIELD_COUNT',
      message: `rows must be a non-negative integer, got ${rows}`,
      context: { array: 'rows', rows },
    });
  }

  const steps = `${rows} rows × ${shape.windowLength} steps × ${stepWidth(shape)} values`;
  requireLength(
    'records',
    input.records,
    rows * shape.features,
    `${rows} rows × ${shape.features} features`,
  );
  requireLength('windows', input.windows, rows * shape.windowLength * stepWidth(shape), steps);
}

function requireLength(array: string, values: Float32Array, expected: number, what: string): void {
  if (!(values instanceof Float32Array)) {
    throw new InvalidInputError({
      code: 'FIELD_COUNT',
      message: `${array} must be a Float32Array`,
      context: { array },
    });
  }
  if (values.length === expected) return;

  throw new InvalidInputError({
    code: 'FIELD_COUNT',
    message: `${array} holds ${values.length} values, expected ${expected} (${what})`,
    context: { array, length: values.length, expected },
  });
}
