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

/** Runs both models of a bundle on one backend (tfjs or ONNX Runtime). */
export interface ModelRunner {
  readonly name: string;
  run(input: ScoreInput): Promise<ModelOutputs>;
  dispose(): Promise<void>;
}
