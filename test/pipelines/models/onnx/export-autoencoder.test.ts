import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { buildAutoencoder } from '../../../../pipelines/models/autoencoder.js';
import { selectBackend, tf } from '../../../../pipelines/models/backend.js';
import { buildLstm } from '../../../../pipelines/models/lstm.js';
import type { ModelShape } from '../../../../pipelines/models/model-shape.js';
import { exportAutoencoder } from '../../../../pipelines/models/onnx/export-autoencoder.js';
import { summarizeModel } from '../../../../pipelines/models/onnx/graph-builder.js';
import { assertExportRefused } from '../../../helpers/export-refusal.js';

const SHAPE: ModelShape = { features: 6, classes: 4, windowLength: 3 };

describe('exportAutoencoder', () => {
  let model: tf.LayersModel;

  before(async () => {
    await selectBackend({ requested: 'wasm' });
    model = buildAutoencoder({ ...SHAPE, units: [8, 5, 3], leakyAlpha: 0.15, seed: 2 });
  });

  after(() => model.dispose());

  it('declares records in, reconstruction and probabilities out, with a free batch', () => {
    const onnx = summarizeModel(exportAutoencoder(model, SHAPE));
    assert.deepEqual(onnx.inputs, [{ name: 'records', dims: ['batch', 6] }]);
    assert.deepEqual(onnx.outputs, [
      { name: 'reconstruction', dims: ['batch', 6] },
      { name: 'probabilities', dims: ['batch', 4] },
    ]);
  });

  it('folds each batch normalization into a Gemm, then LeakyRelu with the same alpha', () => {
    const { nodes } = summarizeModel(exportAutoencoder(model, SHAPE));
    const block = ['Gemm', 'LeakyRelu'];
    assert.deepEqual(
      nodes.map((n) => n.opType),
      [...block, ...block, ...block, ...block, ...block, ...block, 'Gemm', 'Softmax'],
    );

    const alphas = nodes.filter((n) => n.opType === 'LeakyRelu').map((n) => n.attributes['alpha']);
    assert.deepEqual(alphas, new Array<number>(6).fill(Math.fround(0.15)));
    assert.equal(nodes.at(-1)?.attributes['axis'], -1);
    assert.equal(nodes.at(-3)?.outputs[0], 'reconstruction');
  });

  it('classifies the latent code', () => {
    const onnx = summarizeModel(exportAutoencoder(model, SHAPE));
    const head = onnx.nodes.find((n) => n.outputs[0] === 'head_logits');
    assert.equal(head?.inputs[0], 'enc3_act');
    assert.deepEqual(onnx.initializers.get(head?.inputs[1] ?? '')?.dims, [3, 4]);
  });

  it('folds the moving statistics, not the identity', () => {
    const bn = model.getLayer('enc1_bn');
    const saved = bn.getWeights().map((w) => w.clone());
    // gamma, beta, moving mean, moving variance
    const stats = [2, 0, 1, 3].map((v) => tf.fill([8], v));
    bn.setWeights(stats);

    const onnx = summarizeModel(exportAutoencoder(model, SHAPE));
    const bias = onnx.initializers.get('enc1_gemm_C')?.values ?? [];
    // b' = (b − μ) · γ / √(σ² + ε) + β = (0 − 1) · 2 / √(3 + 0.001) + 0
    assert.equal(bias.length, 8);
    for (const b of bias) assert.ok(Math.abs(b - -2 / Math.sqrt(3.001)) < 1e-6);

    bn.setWeights(saved);
    tf.dispose([...saved, ...stats]);
  });

  it('refuses a model of another shape', () => {
    assertExportRefused(
      () => exportAutoencoder(model, { ...SHAPE, features: 7 }),
      /input is not \[N, 7\]/,
    );
    assertExportRefused(
      () => exportAutoencoder(model, { ...SHAPE, classes: 5 }),
      /head has units = 4, expected 5/,
    );
  });

  it('refuses a model that is not the autoencoder', () => {
    const lstm = buildLstm({ ...SHAPE, units: 4, seed: 1 });
    assertExportRefused(() => exportAutoencoder(lstm, SHAPE), /input is not \[N, 6\]/);
    lstm.dispose();
  });

  it('refuses a block without batch normalization', () => {
    const broken = lookalike({ withoutBatchNorm: 'enc2', headOn: 'enc3' });
    assertExportRefused(() => exportAutoencoder(broken, SHAPE), /no layer named enc2_bn/);
    broken.dispose();
  });

  it('refuses a head that does not read the latent code', () => {
    const broken = lookalike({ headOn: 'dec2' });
    assertExportRefused(
      () => exportAutoencoder(broken, SHAPE),
      /head reads dec2_act, expected enc3_act/,
    );
    broken.dispose();
  });
});

// The autoencoder's layer names, with one thing changed.
function lookalike(change: { withoutBatchNorm?: string; headOn: string }): tf.LayersModel {
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor) =>
    layer.apply(x) as tf.SymbolicTensor;
  const input = tf.input({ shape: [6], name: 'records' });
  let x = input;
  let headInput = input;
  for (const block of ['enc1', 'enc2', 'enc3', 'dec1', 'dec2', 'dec3']) {
    x = apply(tf.layers.dense({ units: block === 'dec3' ? 6 : 4, name: `${block}_dense` }), x);
    if (block !== change.withoutBatchNorm) {
      x = apply(tf.layers.batchNormalization({ name: `${block}_bn` }), x);
    }
    x = apply(tf.layers.leakyReLU({ name: `${block}_act` }), x);
    if (block === change.headOn) headInput = x;
  }
  const head = apply(tf.layers.dense({ units: 4, activation: 'softmax', name: 'head' }), headInput);
  return tf.model({ inputs: input, outputs: [x, head], name: 'lookalike' });
}
