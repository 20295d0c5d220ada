import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { buildAutoencoder } from '../../../../pipelines/models/autoencoder.js';
import { selectBackend, tf } from '../../../../pipelines/models/backend.js';
import { buildLstm } from '../../../../pipelines/models/lstm.js';
import type { ModelShape } from '../../../../pipelines/models/model-shape.js';
import {
  exportLstm,
  onnxGateBias,
  onnxGateMatrix,
  ONNX_GATE_SOURCE,
} from '../../../../pipelines/models/onnx/export-lstm.js';
import {
  summarizeModel,
  type ModelSummary,
} from '../../../../pipelines/models/onnx/graph-builder.js';
import { assertExportRefused } from '../../../helpers/export-refusal.js';

const SHAPE: ModelShape = { features: 4, classes: 3, windowLength: 5 };
const UNITS = 6;

function initializer(onnx: ModelSummary, name: string): { dims: number[]; values: number[] } {
  const tensor = onnx.initializers.get(name);
  assert.ok(tensor, `no initializer ${name}`);
  return { dims: tensor.dims, values: Array.from(tensor.values) };
}

function weight(model: tf.LayersModel, suffix: string): Float32Array {
  const variable = model.getLayer('lstm').weights.find((w) => w.originalName.endsWith(suffix));
  assert.ok(variable);
  return Float32Array.from(variable.read().dataSync());
}

describe('exportLstm', () => {
  let model: tf.LayersModel;
  let onnx: ModelSummary;

  before(async () => {
    await selectBackend({ requested: 'wasm' });
    model = buildLstm({ ...SHAPE, units: UNITS, seed: 5 });
    onnx = summarizeModel(exportLstm(model, SHAPE));
  });

  after(() => model.dispose());

  it('moves time first, runs the LSTM, and classifies its last hidden state', () => {
    assert.deepEqual(
      onnx.nodes.map((n) => n.opType),
      ['Transpose', 'LSTM', 'Squeeze', 'Gemm', 'Softmax'],
    );
    const [transpose, lstm, squeeze] = onnx.nodes;
    assert.deepEqual(transpose?.attributes['perm'], [1, 0, 2]);
    assert.deepEqual(lstm?.inputs, ['windows_time_major', 'lstm_W', 'lstm_R', 'lstm_B']);
    assert.deepEqual(lstm?.outputs, ['', 'lstm_Y_h']);
    assert.equal(squeeze?.inputs[0], 'lstm_Y_h');
    assert.deepEqual(onnx.initializers.get(squeeze?.inputs[1] ?? '')?.values, [0]);
    assert.deepEqual(onnx.inputs, [{ name: 'windows', dims: ['batch', 5, 5] }]);
    assert.deepEqual(onnx.outputs, [{ name: 'probabilities', dims: ['batch', 3] }]);
  });

  it('declares the gate activations tfjs computes, forward, with the hidden size', () => {
    assert.deepEqual(onnx.nodes[1]?.attributes, {
      hidden_size: UNITS,
      direction: 'forward',
      activations: ['Sigmoid', 'Tanh', 'Tanh'],
    });
  });

  it('writes W [1, 4H, I] and R [1, 4H, H] transposed, gates reordered to i, o, f, c', () => {
    const inputs = SHAPE.features + 1;
    const w = initializer(onnx, 'lstm_W');
    const r = initializer(onnx, 'lstm_R');
    assert.deepEqual(w.dims, [1, 4 * UNITS, inputs]);
    assert.deepEqual(r.dims, [1, 4 * UNITS, UNITS]);

    const kernel = weight(model, '/kernel');
    // ONNX's output gate (block 1) is tfjs's block 3; its forget gate (block 2) is tfjs's 1.
    for (const [onnxGate, tfjsGate] of [
      [1, 3],
      [2, 1],
      [3, 2],
      [0, 0],
    ] as const) {
      for (let j = 0; j < UNITS; j++) {
        for (let x = 0; x < inputs; x++) {
          const onnxValue = w.values[(onnxGate * UNITS + j) * inputs + x];
          assert.equal(onnxValue, kernel[x * 4 * UNITS + tfjsGate * UNITS + j]);
        }
      }
    }
  });

  it('puts the one tfjs bias in Wb and zeros in Rb', () => {
    const b = initializer(onnx, 'lstm_B');
    assert.deepEqual(b.dims, [1, 8 * UNITS]);
    const wb = Array.from(b.values.slice(0, 4 * UNITS));
    // The forget bias starts at one: it must sit in ONNX's third block.
    assert.deepEqual(wb.slice(2 * UNITS, 3 * UNITS), new Array<number>(UNITS).fill(1));
    assert.deepEqual(wb.slice(UNITS, 2 * UNITS), new Array<number>(UNITS).fill(0));
    assert.deepEqual(Array.from(b.values.slice(4 * UNITS)), new Array<number>(4 * UNITS).fill(0));
  });

  it('reorders any matrix and bias by ONNX_GATE_SOURCE', () => {
    assert.deepEqual(ONNX_GATE_SOURCE, [0, 3, 1, 2]);
    // One row, units 1: columns are the gates i, f, c, o.
    assert.deepEqual(
      Array.from(onnxGateMatrix(Float32Array.from([1, 2, 3, 4]), 1, 1)),
      [1, 4, 2, 3],
    );
    assert.deepEqual(
      Array.from(onnxGateBias(Float32Array.from([1, 2, 3, 4]), 1)),
      [1, 4, 2, 3, 0, 0, 0, 0],
    );
  });

  it("refuses an LSTM with tfjs's default hard sigmoid", () => {
    const input = tf.input({ shape: [5, 5], name: 'windows' });
    const lstm = tf.layers.lstm({ units: 2, name: 'lstm' }).apply(input) as tf.SymbolicTensor;
    const head = tf.layers.dense({ units: 3, activation: 'softmax', name: 'head' }).apply(lstm);
    const hard = tf.model({ inputs: input, outputs: head as tf.SymbolicTensor, name: 'hard' });
    assertExportRefused(
      () => exportLstm(hard, SHAPE),
      /recurrentActivation = "hardSigmoid", expected "sigmoid"/,
    );
    hard.dispose();
  });

  it('refuses a model of another shape, or not an LSTM', () => {
    assertExportRefused(
      () => exportLstm(model, { ...SHAPE, windowLength: 6 }),
      /input is not \[N, 6, 5\]/,
    );
    assertExportRefused(
      () => exportLstm(model, { ...SHAPE, classes: 4 }),
      /head has units = 3, expected 4/,
    );
    const ae = buildAutoencoder({ ...SHAPE, units: [4, 3, 2], seed: 1 });
    assertExportRefused(() => exportLstm(ae, SHAPE), /input is not/);
    ae.dispose();
  });
});
