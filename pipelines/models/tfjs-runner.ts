import * as tf from '@tensorflow/tfjs';

import { InvalidOptionError } from '../../schemas/errors.js';
import {
  checkScoreInput,
  emptyModelOutputs,
  stepWidth,
  type ModelOutputs,
  type ModelRunner,
  type ModelShape,
  type ScoreInput,
} from './model-shape.js';
import { reconstructionError } from './reconstruction.js';

export interface TfjsRunnerOptions {
  /** Input [N, F]; outputs the reconstruction [N, F] and the probabilities [N, C], in that order. */
  autoencoder: tf.LayersModel;
  /** Input [N, T, F+1]; output the probabilities [N, C]. */
  lstm: tf.LayersModel;
  shape: ModelShape;
}

/**
 * Runs both models of a bundle with tfjs, on whichever backend is active (see `selectBackend`).
 * The runner owns the two models: {@link TfjsRunner.dispose} disposes them.
 */
export class TfjsRunner implements ModelRunner {
  readonly name = 'tfjs';
  private readonly autoencoder: tf.LayersModel;
  private readonly lstm: tf.LayersModel;
  private readonly shape: ModelShape;
  private disposed = false;

  /** @throws InvalidOptionError when a model's inputs or outputs do not match `shape`. */
  constructor(options: TfjsRunnerOptions) {
    const { autoencoder, lstm, shape } = options;
    const { features: f, classes: c, windowLength: t } = shape;
    checkModel('autoencoder', autoencoder, batchesOf([f]), batchesOf([f], [c]));
    checkModel('lstm', lstm, batchesOf([t, stepWidth(shape)]), batchesOf([c]));

    this.autoencoder = autoencoder;
    this.lstm = lstm;
    this.shape = { ...shape };
  }

  /** Scores a batch; every tensor it makes is disposed before it resolves. */
  async run(input: ScoreInput): Promise<ModelOutputs> {
    checkScoreInput(input, this.shape);
    const { rows } = input;
    if (rows === 0) return emptyModelOutputs();

    const tensors = tf.tidy(() => this.predict(input));
    try {
      const [reconstruction, aeProbabilities, lstmProbabilities] = await Promise.all([
        readFloat32(tensors[0]),
        readFloat32(tensors[1]),
        readFloat32(tensors[2]),
      ]);
      const { features } = this.shape;
      return {
        rows,
        aeProbabilities,
        lstmProbabilities,
        reconstructionError: reconstructionError(input.records, reconstruction, rows, features),
      };
    } finally {
      tf.dispose(tensors);
    }
  }

  /** Disposes both models and their weights; calling it again does nothing. */
  dispose(): Promise<void> {
    if (!this.disposed) {
      this.disposed = true;
      this.autoencoder.dispose();
      this.lstm.dispose();
    }
    return Promise.resolve();
  }

  private predict(input: ScoreInput): [tf.Tensor, tf.Tensor, tf.Tensor] {
    const { rows } = input;
    const { features, windowLength } = this.shape;
    const records = tf.tensor2d(input.records, [rows, features]);
    const windows = tf.tensor3d(input.windows, [rows, windowLength, stepWidth(this.shape)]);

    // predict() splits its input into batches of 32 by default; one batch is much faster.
    const [reconstruction, aeProbabilities] = tensorList(
      this.autoencoder.predict(records, { batchSize: rows }),
    );
    const [lstmProbabilities] = tensorList(this.lstm.predict(windows, { batchSize: rows }));
    if (!reconstruction || !aeProbabilities || !lstmProbabilities) {
      throw new TypeError('a model gave fewer outputs than it declares');
    }
    return [reconstruction, aeProbabilities, lstmProbabilities];
  }
}

type Shape = (number | null)[];

function checkModel(
  option: string,
  model: tf.LayersModel,
  inputs: Shape[],
  outputs: Shape[],
): void {
  const actualInputs = model.inputs.map((tensor) => tensor.shape);
  const actualOutputs = model.outputs.map((tensor) => tensor.shape);
  if (sameShapes(actualInputs, inputs) && sameShapes(actualOutputs, outputs)) return;

  throw new InvalidOptionError(
    option,
    `model takes ${formatShapes(actualInputs)} and gives ${formatShapes(actualOutputs)}, ` +
      `expected ${formatShapes(inputs)} giving ${formatShapes(outputs)}`,
  );
}

// Shapes with a free batch dimension first.
function batchesOf(...shapes: number[][]): Shape[] {
  return shapes.map((dims) => [null, ...dims]);
}

function sameShapes(actual: Shape[], expected: Shape[]): boolean {
  return (
    actual.length === expected.length &&
    actual.every((shape, k) => shape.join() === (expected[k] ?? []).join())
  );
}

function formatShapes(shapes: Shape[]): string {
  return shapes.map((shape) => `[${shape.map((d) => d ?? 'N').join(', ')}]`).join(', ');
}

function tensorList(output: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(output) ? output : [output];
}

async function readFloat32(tensor: tf.Tensor): Promise<Float32Array> {
  const values = await tensor.data();
  return values instanceof Float32Array ? values : Float32Array.from(values);
}
