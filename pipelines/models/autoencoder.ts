import * as tf from '@tensorflow/tfjs';

import { InvalidOptionError } from '../../schemas/errors.js';
import { deriveSeed } from '../features/random.js';
import { checkModelSizes, checkSeed, requirePositiveInteger } from './config-checks.js';
import { symbolic } from './symbolic.js';

export interface AutoencoderConfig {
  /** F: scaled features per record. */
  features: number;
  classes: number;
  /** Encoder widths; the decoder mirrors them (units[1], units[0], then F). Default [64, 32, 16]. */
  units?: readonly [number, number, number];
  /** Slope of LeakyReLU below zero. Default 0.2. */
  leakyAlpha?: number;
  /** Seeds every random initializer, so a seed gives the same initial weights. */
  seed: number;
}

/**
 * The defaults of {@link AutoencoderConfig}: the encoder halves its width at each layer, from
 * 64 (above the 45 features of the original layout) to a 16-wide latent code (still wider than
 * the 6 classes); 0.2 is the usual LeakyReLU slope. Batch normalization keeps tfjs's (and
 * Keras's) defaults: momentum 0.99, epsilon 0.001.
 */
export const AUTOENCODER_DEFAULTS = {
  units: [64, 32, 16] as const,
  leakyAlpha: 0.2,
};

/**
 * The six Dense → BatchNormalization → LeakyReLU blocks, in order. Block `b` has layers named
 * `<b>_dense`, `<b>_bn` and `<b>_act`; `enc3_act` is the latent code.
 */
export const AUTOENCODER_BLOCKS = ['enc1', 'enc2', 'enc3', 'dec1', 'dec2', 'dec3'] as const;

const ENCODER = AUTOENCODER_BLOCKS.slice(0, 3);
const DECODER = AUTOENCODER_BLOCKS.slice(3);

/** Names of the model's input, the classification head and the latent code's layer. */
export const AUTOENCODER_LAYERS = { input: 'records', head: 'head', latent: 'enc3_act' } as const;

/**
 * Builds the paper's hybrid autoencoder: three encoder and three decoder blocks, each Dense, then
 * batch normalization, then LeakyReLU (the last decoder block too, as the paper describes it),
 * and a softmax classification head on the latent code.
 *
 * Input `records` [N, F]. Outputs, in this order: the reconstruction [N, F] (from `dec3_act`) and
 * the class probabilities [N, classes] (from `head`). The model is not compiled.
 */
export function buildAutoencoder(config: AutoencoderConfig): tf.LayersModel {
  const { features, classes, units, leakyAlpha, seed } = resolveConfig(config);
  const block = { leakyAlpha, seed };

  const input = tf.input({ shape: [features], name: AUTOENCODER_LAYERS.input });
  const latent = stack(input, ENCODER, units, block);
  const reconstruction = stack(latent, DECODER, [units[1], units[0], features], block);

  const head = tf.layers.dense({
    units: classes,
    activation: 'softmax',
    name: AUTOENCODER_LAYERS.head,
    kernelInitializer: tf.initializers.glorotUniform({
      seed: deriveSeed(seed, 'autoencoder', 'head'),
    }),
  });
  const probabilities = symbolic(head.apply(latent));

  return tf.model({ inputs: input, outputs: [reconstruction, probabilities], name: 'autoencoder' });
}

function stack(
  input: tf.SymbolicTensor,
  blocks: readonly string[],
  widths: readonly number[],
  options: Omit<BlockOptions, 'block' | 'units'>,
): tf.SymbolicTensor {
  return blocks.reduce(
    (x, block, k) => denseBlock(x, { ...options, block, units: widths[k] ?? 1 }),
    input,
  );
}

interface BlockOptions {
  block: string;
  units: number;
  leakyAlpha: number;
  /** The model's seed; each layer derives its own from it and its block name. */
  seed: number;
}

function denseBlock(input: tf.SymbolicTensor, options: BlockOptions): tf.SymbolicTensor {
  const { block, units, leakyAlpha, seed } = options;
  const dense = tf.layers.dense({
    units,
    name: `${block}_dense`,
    kernelInitializer: tf.initializers.glorotUniform({
      seed: deriveSeed(seed, 'autoencoder', block),
    }),
  });
  const bn = tf.layers.batchNormalization({ name: `${block}_bn` });
  const act = tf.layers.leakyReLU({ alpha: leakyAlpha, name: `${block}_act` });

  return symbolic(act.apply(bn.apply(dense.apply(input))));
}

type ResolvedConfig = Required<AutoencoderConfig>;

function resolveConfig(config: AutoencoderConfig): ResolvedConfig {
  const resolved: ResolvedConfig = {
    features: config.features,
    classes: config.classes,
    units: config.units ?? AUTOENCODER_DEFAULTS.units,
    leakyAlpha: config.leakyAlpha ?? AUTOENCODER_DEFAULTS.leakyAlpha,
    seed: config.seed,
  };

  checkModelSizes(resolved);
  if (resolved.units.length !== 3) throw new InvalidOptionError('units', 'must give 3 widths');
  resolved.units.forEach((width) => requirePositiveInteger('units', width));
  if (!Number.isFinite(resolved.leakyAlpha) || resolved.leakyAlpha < 0) {
    throw new InvalidOptionError(
      'leakyAlpha',
      `must be a finite number >= 0, got ${resolved.leakyAlpha}`,
    );
  }
  checkSeed(resolved.seed);
  return resolved;
}
