import * as tf from '@tensorflow/tfjs';

import { deriveSeed, Random } from '../features/random.js';
import { checkModelSizes, checkSeed, requirePositiveInteger } from './config-checks.js';
import { symbolic } from './symbolic.js';

export interface LstmConfig {
  /** F: scaled features per record; each window step holds F values and the presence flag. */
  features: number;
  classes: number;
  /** T: records per window. */
  windowLength: number;
  /** Hidden units of the LSTM layer. Default 64. */
  units?: number;
  /** Seeds every random initializer, so a seed gives the same initial weights. */
  seed: number;
}

/** The defaults of {@link LstmConfig}. */
export const LSTM_DEFAULTS = { units: 64 };

/** Names of the model's input, its LSTM layer and the classification head. */
export const LSTM_LAYERS = { input: 'windows', lstm: 'lstm', head: 'head' } as const;

/**
 * Builds the LSTM classifier: input `windows` [N, T, F+1], one LSTM layer that returns its last
 * hidden state, and a softmax head. Output: the class probabilities [N, classes]. The model is
 * not compiled.
 *
 * The gates use the logistic sigmoid, not tfjs's default hard sigmoid: it is what Keras and
 * PyTorch use and what ONNX's LSTM computes by default. The forget gate's bias starts at 1
 * (Jozefowicz et al. 2015), so early training does not forget the window.
 */
export function buildLstm(config: LstmConfig): tf.LayersModel {
  const { features, classes, windowLength, units, seed } = resolveConfig(config);

  const input = tf.input({ shape: [windowLength, features + 1], name: LSTM_LAYERS.input });
  const lstm = tf.layers.lstm({
    units,
    activation: 'tanh',
    recurrentActivation: 'sigmoid',
    unitForgetBias: true,
    returnSequences: false,
    name: LSTM_LAYERS.lstm,
    kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, 'lstm', 'kernel') }),
    // The orthogonal recurrent kernel is written after the build (see below); zeros keep tfjs
    // from running its own orthogonal initializer, at build time and again at every load.
    recurrentInitializer: tf.initializers.zeros(),
  });
  const head = tf.layers.dense({
    units: classes,
    activation: 'softmax',
    name: LSTM_LAYERS.head,
    kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, 'lstm', 'head') }),
  });
  const probabilities = symbolic(head.apply(lstm.apply(input)));
  const model = tf.model({ inputs: input, outputs: probabilities, name: 'lstm' });

  writeRecurrentKernel(lstm, units, deriveSeed(seed, 'lstm', 'recurrent_kernel'));
  return model;
}

// tfjs's orthogonal initializer takes a seed, but it runs a float32 QR on the backend (so its
// last bits depend on the backend) and writes a console warning for any matrix over 2000
// elements, which every recurrent kernel of 23+ units is. This one is computed in float64 from
// the project's own generator, so a seed gives the same kernel on every backend.
function writeRecurrentKernel(lstm: tf.layers.Layer, units: number, seed: number): void {
  const variable = lstm.weights.find((w) => w.originalName.endsWith('/recurrent_kernel'));
  if (variable === undefined) throw new TypeError('LSTM layer has no recurrent kernel');

  const values = orthogonalRows(units, 4 * units, seed);
  const kernel = tf.tensor2d(values, [units, 4 * units]);
  variable.write(kernel);
  kernel.dispose();
}

/**
 * A `rows` × `cols` matrix (rows ≤ cols, row-major) with orthonormal rows, as Keras's
 * Orthogonal initializer defines it: the Q of a QR factorization of a standard normal matrix,
 * with the signs that make R's diagonal positive, transposed. Gram-Schmidt gives exactly that
 * sign convention; orthogonalizing twice keeps float64 round-off far below float32's.
 */
function orthogonalRows(rows: number, cols: number, seed: number): Float32Array {
  const random = new Random(seed);
  const vectors = Array.from({ length: rows }, () =>
    Float64Array.from({ length: cols }, () => random.normal()),
  );

  for (let r = 0; r < rows; r++) {
    const v = vectors[r] as Float64Array;
    for (let pass = 0; pass < 2; pass++) {
      for (let q = 0; q < r; q++) subtractProjection(v, vectors[q] as Float64Array);
    }
    scale(v, 1 / Math.hypot(...v));
  }

  const out = new Float32Array(rows * cols);
  vectors.forEach((v, r) => out.set(v, r * cols));
  return out;
}

function subtractProjection(v: Float64Array, unit: Float64Array): void {
  let dot = 0;
  for (let k = 0; k < v.length; k++) dot += (v[k] ?? 0) * (unit[k] ?? 0);
  for (let k = 0; k < v.length; k++) v[k] = (v[k] ?? 0) - dot * (unit[k] ?? 0);
}

function scale(v: Float64Array, factor: number): void {
  for (let k = 0; k < v.length; k++) v[k] = (v[k] ?? 0) * factor;
}

type ResolvedConfig = Required<LstmConfig>;

function resolveConfig(config: LstmConfig): ResolvedConfig {
  const resolved: ResolvedConfig = {
    features: config.features,
    classes: config.classes,
    windowLength: config.windowLength,
    units: config.units ?? LSTM_DEFAULTS.units,
    seed: config.seed,
  };

  checkModelSizes(resolved);
  requirePositiveInteger('windowLength', resolved.windowLength);
  requirePositiveInteger('units', resolved.units);
  checkSeed(resolved.seed);
  return resolved;
}
