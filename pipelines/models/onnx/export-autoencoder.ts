import type * as tf from '@tensorflow/tfjs';

import { AUTOENCODER_BLOCKS, AUTOENCODER_LAYERS } from '../autoencoder.js';
import type { ModelShape } from '../model-shape.js';
import { denseGemm, foldBatchNorm, type GemmParams } from './fold-batch-norm.js';
import { GraphBuilder } from './graph-builder.js';
import {
  batchNormParams,
  configNumber,
  denseParams,
  layerOf,
  requireConfig,
  requireInbound,
  structureError,
} from './layers.js';

/** Names of the exported autoencoder's input and outputs. */
export const AUTOENCODER_ONNX = {
  input: 'records',
  reconstruction: 'reconstruction',
  probabilities: 'probabilities',
} as const;

/**
 * Exports the hybrid autoencoder of `buildAutoencoder` as an ONNX model (opset 17, float32):
 * input `records` [batch, F], outputs `reconstruction` [batch, F] and `probabilities`
 * [batch, C]. Each Dense → BatchNormalization pair becomes one Gemm with the batch
 * normalization's moving statistics folded in, followed by LeakyRelu with the layer's alpha.
 *
 * @throws InvalidOptionError (option `model`) when the model's layers are not the expected ones.
 */
export function exportAutoencoder(model: tf.LayersModel, shape: ModelShape): Uint8Array {
  checkEnds(model, shape);
  const graph = new GraphBuilder();
  let x = graph.input(AUTOENCODER_ONNX.input, ['batch', shape.features]);
  let source = model.inputLayers[0]?.name ?? '';
  let latent = x;

  for (const block of AUTOENCODER_BLOCKS) {
    const last = block === AUTOENCODER_BLOCKS[AUTOENCODER_BLOCKS.length - 1];
    const { gemm, alpha } = readBlock(model, block, source);
    x = gemmNode(graph, `${block}_gemm`, x, gemm);
    x = graph.node('LeakyRelu', [x], [last ? AUTOENCODER_ONNX.reconstruction : `${block}_act`], {
      alpha: { float: alpha },
    });
    if (block === 'enc3') latent = x;
    source = `${block}_act`;
  }

  const head = layerOf(model, AUTOENCODER_LAYERS.head, 'Dense');
  requireInbound(model, head, AUTOENCODER_LAYERS.latent);
  requireConfig(model, head, 'activation', 'softmax');
  const logits = gemmNode(graph, 'head_logits', latent, denseGemm(denseParams(model, head)));
  // Softmax-13 normalizes along one axis (default -1), unlike opset < 13's flattening.
  graph.node('Softmax', [logits], [AUTOENCODER_ONNX.probabilities], { axis: { int: -1 } });

  graph.output(AUTOENCODER_ONNX.reconstruction, ['batch', shape.features]);
  graph.output(AUTOENCODER_ONNX.probabilities, ['batch', shape.classes]);
  return graph.toModel({ name: 'autoencoder', description: 'iomt-ids hybrid autoencoder' });
}

interface Block {
  gemm: GemmParams;
  alpha: number;
}

// One Dense → BatchNormalization → LeakyReLU block, checked link by link.
function readBlock(model: tf.LayersModel, block: string, source: string): Block {
  const dense = layerOf(model, `${block}_dense`, 'Dense');
  const bn = layerOf(model, `${block}_bn`, 'BatchNormalization');
  const act = layerOf(model, `${block}_act`, 'LeakyReLU');
  requireInbound(model, dense, source);
  requireInbound(model, bn, dense.name);
  requireInbound(model, act, bn.name);
  requireConfig(model, dense, 'activation', 'linear');

  const gemm = foldBatchNorm(denseParams(model, dense), batchNormParams(model, bn));
  return { gemm, alpha: configNumber(model, act, 'alpha') };
}

function gemmNode(graph: GraphBuilder, name: string, input: string, gemm: GemmParams): string {
  // Gemm computes A·B + C with B [K, N] when transB = 0: tfjs's kernel layout as it is.
  const weights = graph.floats(`${name}_B`, [gemm.inputs, gemm.units], gemm.weights);
  const bias = graph.floats(`${name}_C`, [gemm.units], gemm.bias);
  return graph.node('Gemm', [input, weights, bias], [name]);
}

function checkEnds(model: tf.LayersModel, shape: ModelShape): void {
  const inputs = model.inputs.map((t) => t.shape.join());
  if (inputs.length !== 1 || inputs[0] !== [null, shape.features].join()) {
    throw structureError(model, `input is not [N, ${shape.features}]`);
  }

  const outputs = model.outputLayers.map((layer) => layer.name).join();
  const expected = ['dec3_act', AUTOENCODER_LAYERS.head].join();
  if (outputs !== expected) {
    throw structureError(model, `outputs come from ${outputs}, expected ${expected}`);
  }

  const head = layerOf(model, AUTOENCODER_LAYERS.head, 'Dense');
  requireConfig(model, head, 'units', shape.classes);
  requireConfig(model, layerOf(model, 'dec3_dense', 'Dense'), 'units', shape.features);
}
