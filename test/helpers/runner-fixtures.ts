import type * as tf from '@tensorflow/tfjs';

import { Random } from '../../pipelines/features/random.js';
import { buildAutoencoder } from '../../pipelines/models/autoencoder.js';
import { buildLstm } from '../../pipelines/models/lstm.js';
import { stepWidth } from '../../pipelines/models/model-shape.js';
import type { ModelShape, ScoreInput } from '../../pipelines/models/model-shape.js';

/** The two tfjs models of a bundle; the caller disposes them. */
export interface SmallModels {
  autoencoder: tf.LayersModel;
  lstm: tf.LayersModel;
}

/**
 * An autoencoder (widths 8, 6, 4) and an LSTM (6 units) of `shape`, small enough to build and
 * run in a unit test; a seed gives the same weights.
 */
export function smallModels(shape: ModelShape, seed: number): SmallModels {
  return {
    autoencoder: buildAutoencoder({ ...shape, units: [8, 6, 4], seed }),
    lstm: buildLstm({ ...shape, units: 6, seed }),
  };
}

/** A batch of `rows` records and windows of `shape`, every value standard normal and seeded. */
export function randomScoreInput(shape: ModelShape, rows: number, seed: number): ScoreInput {
  const random = new Random(seed);
  const values = (n: number) => Float32Array.from({ length: n }, () => random.normal());
  return {
    rows,
    records: values(rows * shape.features),
    windows: values(rows * shape.windowLength * stepWidth(shape)),
  };
}
