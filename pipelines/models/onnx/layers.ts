import type * as tf from '@tensorflow/tfjs';

import { InvalidOptionError } from '../../../schemas/errors.js';

/** A Dense layer's parameters, read from tfjs: kernel [inputs, units] row-major. */
export interface DenseParams {
  inputs: number;
  units: number;
  kernel: Float32Array;
  bias: Float32Array;
  activation: string;
}

/** A BatchNormalization layer's inference parameters, per channel. */
export interface BatchNormParams {
  gamma: Float32Array;
  beta: Float32Array;
  movingMean: Float32Array;
  movingVariance: Float32Array;
  epsilon: number;
}

/** The error every exporter throws for a model whose structure it does not know. */
export function structureError(model: tf.LayersModel, message: string): InvalidOptionError {
  return new InvalidOptionError('model', `cannot export model "${model.name}": ${message}`);
}

/** The layer called `name`, which must be of class `className`. */
export function layerOf(model: tf.LayersModel, name: string, className: string): tf.layers.Layer {
  const layer = model.layers.find((l) => l.name === name);
  if (layer === undefined) throw structureError(model, `no layer named ${name}`);
  if (layer.getClassName() !== className) {
    throw structureError(model, `layer ${name} is ${layer.getClassName()}, expected ${className}`);
  }
  return layer;
}

/** Checks that `layer` reads the output of the layer called `source`. */
export function requireInbound(
  model: tf.LayersModel,
  layer: tf.layers.Layer,
  source: string,
): void {
  const inbound = layer.inboundNodes[0]?.inboundLayers.map((l) => l.name) ?? [];
  if (inbound.length === 1 && inbound[0] === source) return;

  const got = inbound.length === 0 ? 'nothing' : inbound.join(', ');
  throw structureError(model, `layer ${layer.name} reads ${got}, expected ${source}`);
}

/** A config entry that must be a string (or, below, a number). */
export function configString(model: tf.LayersModel, layer: tf.layers.Layer, key: string): string {
  const value = layer.getConfig()[key];
  if (typeof value !== 'string') throw configError(model, layer, key, value);
  return value;
}

export function configNumber(model: tf.LayersModel, layer: tf.layers.Layer, key: string): number {
  const value = layer.getConfig()[key];
  if (typeof value !== 'number') throw configError(model, layer, key, value);
  return value;
}

/** Throws unless the layer's config holds `expected` at `key`. */
export function requireConfig(
  model: tf.LayersModel,
  layer: tf.layers.Layer,
  key: string,
  expected: string | number | boolean,
): void {
  const value = layer.getConfig()[key];
  if (value === expected) return;
  throw structureError(
    model,
    `layer ${layer.name} has ${key} = ${JSON.stringify(value)}, expected ${JSON.stringify(expected)}`,
  );
}

/**
 * A copy of the weight whose name ends with `/<suffix>` (tfjs names weights
 * `<layer>/<weight>`, with a `_<n>` suffix on the full name when names repeat, which
 * `originalName` does not have), or undefined when the layer has none.
 */
export function weightOf(layer: tf.layers.Layer, suffix: string): Float32Array | undefined {
  const variable = layer.weights.find((w) => w.originalName.endsWith(`/${suffix}`));
  if (variable === undefined) return undefined;

  // dataSync may hand out the backend's own buffer; copy so nothing here can change a weight.
  return Float32Array.from(variable.read().dataSync());
}

/** The kernel, bias and activation of a Dense layer (a missing bias reads as zeros). */
export function denseParams(model: tf.LayersModel, layer: tf.layers.Layer): DenseParams {
  const kernel = weightOf(layer, 'kernel');
  const shape = layer.weights.find((w) => w.originalName.endsWith('/kernel'))?.shape;
  if (kernel === undefined || shape?.length !== 2) {
    throw structureError(model, `layer ${layer.name} has no 2-D kernel`);
  }

  const [inputs, units] = shape as [number, number];
  return {
    inputs,
    units,
    kernel,
    bias: weightOf(layer, 'bias') ?? new Float32Array(units),
    activation: configString(model, layer, 'activation'),
  };
}

/**
 * The moving statistics, scale and offset of a BatchNormalization layer over the last axis.
 * A layer built without `scale` or `center` behaves as gamma 1 or beta 0.
 */
export function batchNormParams(model: tf.LayersModel, layer: tf.layers.Layer): BatchNormParams {
  const axis = layer.getConfig()['axis'];
  if (axis !== -1 && !(Array.isArray(axis) && axis.length === 1 && axis[0] === -1)) {
    throw structureError(
      model,
      `layer ${layer.name} normalizes axis ${JSON.stringify(axis)}, expected -1`,
    );
  }

  const movingMean = weightOf(layer, 'moving_mean');
  const movingVariance = weightOf(layer, 'moving_variance');
  if (movingMean === undefined || movingVariance === undefined) {
    throw structureError(model, `layer ${layer.name} has no moving statistics`);
  }
  return {
    gamma: weightOf(layer, 'gamma') ?? new Float32Array(movingMean.length).fill(1),
    beta: weightOf(layer, 'beta') ?? new Float32Array(movingMean.length),
    movingMean,
    movingVariance,
    epsilon: configNumber(model, layer, 'epsilon'),
  };
}

function configError(
  model: tf.LayersModel,
  layer: tf.layers.Layer,
  key: string,
  value: unknown,
): InvalidOptionError {
  return structureError(
    model,
    `layer ${layer.name} has no usable ${key} (${JSON.stringify(value)})`,
  );
}
