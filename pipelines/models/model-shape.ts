import { InvalidInputError } from '../../schemas/errors.js';

/**
 * The shapes every model of a bundle agrees on. Windows hold `windowLength` consecutive scaled
 * records of one capture, oldest first, ending at the record being scored; a window that starts
 * before the capture's first record is left-padded with zeros. Each step carries the record's
 * `features` scaled values plus one presence flag (1 for a real record, 0 for padding), so the
 * LSTM tells padding from a record whose scaled values happen to be zero, and the same plain
 * LSTM runs identically in training, offline evaluation and streaming, with no masking layer.
 */
export interface ModelShape {
  /** Scaled features per record. */
  features: number;
  classes: number;
  /** T: records per window. */
  windowLength: number;
}

/** Values per window step: the features and the presence flag. */
export function stepWidth(shape: ModelShape): number {
  return shape.features + 1;
}

/** A batch of records to score: each record and the window that ends at it. */
export interface ScoreInput {
  rows: number;
  /** `rows * features` scaled records, row-major. */
  records: Float32Array;
  /** `rows * windowLength * (features + 1)` window steps, row-major, oldest step first. */
  windows: Float32Array;
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

/**
 * Checks that `values`, the array named `array`, is a Float32Array of `expected` values; `what`
 * says where the expected length comes from (`2 rows × 3 features`).
 *
 * @throws InvalidInputError (code `FIELD_COUNT`) naming the array, its length and the expected one.
 */
export function requireLength(
  array: string,
  values: Float32Array,
  expected: number,
  what: string,
): void {
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

/** What the two models say about a batch, before the ensemble combines them. */
export interface ModelOutputs {
  rows: number;
  /** `rows * classes` autoencoder class probabilities. */
  aeProbabilities: Float32Array;
  /** `rows * classes` LSTM class probabilities. */
  lstmProbabilities: Float32Array;
  /** Per record: mean squared difference between the record and its reconstruction. */
  reconstructionError: Float32Array;
}

/** The outputs of a batch of no rows, which a runner gives without running a model. */
export function emptyModelOutputs(): ModelOutputs {
  return {
    rows: 0,
    aeProbabilities: new Float32Array(0),
    lstmProbabilities: new Float32Array(0),
    reconstructionError: new Float32Array(0),
  };
}

/** Runs both models of a bundle on one backend (tfjs or ONNX Runtime). */
export interface ModelRunner {
  readonly name: string;
  run(input: ScoreInput): Promise<ModelOutputs>;
  dispose(): Promise<void>;
}
