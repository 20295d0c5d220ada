import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { selectBackend, tf } from '../../../../pipelines/models/backend.js';
import {
  batchNormParams,
  denseParams,
  layerOf,
  requireConfig,
  requireInbound,
  weightOf,
} from '../../../../pipelines/models/onnx/layers.js';
import { InvalidOptionError } from '../../../../schemas/errors.js';

// input [N, 3] → dense (2 units) → bn → out.
function smallModel(bn: { center?: boolean; scale?: boolean } = {}): tf.LayersModel {
  const input = tf.input({ shape: [3], name: 'in' });
  const dense = tf.layers.dense({ units: 2, name: 'dense', useBias: false });
  const norm = tf.layers.batchNormalization({ name: 'bn', ...bn });
  const output = norm.apply(dense.apply(input)) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'small' });
}

function assertStructure(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InvalidOptionError);
    assert.equal(error.context.option, 'model');
    assert.match(error.message, /cannot export model "small"/);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('layer readers', () => {
  let model: tf.LayersModel;

  before(async () => {
    await selectBackend({ requested: 'wasm' });
    model = smallModel();
  });

  after(() => model.dispose());

  it('finds a layer by name and class, and says what is wrong otherwise', () => {
    assert.equal(layerOf(model, 'dense', 'Dense').name, 'dense');
    assertStructure(() => layerOf(model, 'nope', 'Dense'), /no layer named nope/);
    assertStructure(
      () => layerOf(model, 'bn', 'Dense'),
      /bn is BatchNormalization, expected Dense/,
    );
  });

  it('checks which layer feeds which', () => {
    requireInbound(model, model.getLayer('bn'), 'dense');
    assertStructure(
      () => requireInbound(model, model.getLayer('bn'), 'in'),
      /bn reads dense, expected in/,
    );
  });

  it('checks config values', () => {
    requireConfig(model, model.getLayer('dense'), 'units', 2);
    assertStructure(
      () => requireConfig(model, model.getLayer('dense'), 'activation', 'relu'),
      /activation = "linear", expected "relu"/,
    );
  });

  it('reads a Dense layer without bias as zeros', () => {
    const dense = denseParams(model, model.getLayer('dense'));
    assert.deepEqual([dense.inputs, dense.units, dense.kernel.length], [3, 2, 6]);
    assert.deepEqual(Array.from(dense.bias), [0, 0]);
  });

  it('copies weights, so changing the copy leaves the model alone', () => {
    const layer = model.getLayer('bn');
    const copy = weightOf(layer, 'moving_variance');
    copy?.fill(9);
    assert.deepEqual(Array.from(weightOf(layer, 'moving_variance') ?? []), [1, 1]);
  });

  it('reads batch normalization without scale or center as gamma 1 and beta 0', () => {
    const plain = smallModel({ center: false, scale: false });
    const bn = batchNormParams(plain, plain.getLayer('bn'));
    assert.deepEqual(Array.from(bn.gamma), [1, 1]);
    assert.deepEqual(Array.from(bn.beta), [0, 0]);
    assert.equal(bn.epsilon, 1e-3);
    plain.dispose();
  });
});
