import type * as tf from '@tensorflow/tfjs';

import { LSTM_LAYERS } from '../lstm.js';
import { stepWidth, type ModelShape } from '../model-shape.js';
import { denseGemm } from './fold-batch-norm.js';
import { GraphBuilder } from './graph-builder.js';
import {
  configNumber,
  denseParams,
  layerOf,
  requireConfig,
  requireInbound,
  structureError,
  weightOf,
} from './layers.js';

/** Names of the exported LSTM's input and output. */
export const LSTM_ONNX = { input: 'windows', probabilities: 'probabilities' } as const;

/**
 * For each ONNX gate, in ONNX's order (input, output, forget, cell), the index of the same
 * gate's block in tfjs's (and Keras's) order (input, forget, cell, output).
 */
export const ONNX_GATE_SOURCE: readonly number[] = [0, 3, 1, 2];

/**
 * Exports the LSTM classifier of `buildLstm` as an ONNX model (opset 17, float32): input
 * `windows` [batch, T, F+1], output `probabilities` [batch, C].
 *
 * @throws InvalidOptionError (option `model`) when the model's layers are not the expected ones.
 */
export function exportLstm(model: tf.LayersModel, shape: ModelShape): Uint8Array {
  const { lstm, head } = checkStructure(model, shape);
  const units = configNumber(model, lstm, 'units');
  const inputs = stepWidth(shape);
  const graph = new GraphBuilder();

  const windows = graph.input(LSTM_ONNX.input, ['batch', shape.windowLength, inputs]);
  // ORT's CPU LSTM supports only layout = 0, where X is [T, N, I]: move time first.
  const timeMajor = graph.node('Transpose', [windows], ['windows_time_major'], {
    perm: { ints: [1, 0, 2] },
  });
  const lastHidden = lstmNode(graph, model, lstm, timeMajor, { inputs, units });

  // Y_h is [num_directions = 1, N, H]; Squeeze-13 takes its axes as an input.
  const hidden = graph.node(
    'Squeeze',
    [lastHidden, graph.int64s('squeeze_axes', [0])],
    ['last_hidden'],
  );
  const gemm = denseGemm(denseParams(model, head));
  const weights = graph.floats('head_B', [gemm.inputs, gemm.units], gemm.weights);
  const bias = graph.floats('head_C', [gemm.units], gemm.bias);
  const logits = graph.node('Gemm', [hidden, weights, bias], ['head_logits']);
  graph.node('Softmax', [logits], [LSTM_ONNX.probabilities], { axis: { int: -1 } });

  graph.output(LSTM_ONNX.probabilities, ['batch', shape.classes]);
  return graph.toModel({ name: 'lstm', description: 'iomt-ids LSTM classifier' });
}

interface LstmSize {
  inputs: number;
  units: number;
}

function lstmNode(
  graph: GraphBuilder,
  model: tf.LayersModel,
  lstm: tf.layers.Layer,
  x: string,
  size: LstmSize,
): string {
  const { inputs, units } = size;
  const kernel = weightOf(lstm, 'kernel');
  const recurrent = weightOf(lstm, 'recurrent_kernel');
  if (kernel?.length !== inputs * 4 * units || recurrent?.length !== units * 4 * units) {
    throw structureError(model, `LSTM weights do not match ${inputs} inputs and ${units} units`);
  }
  const bias = weightOf(lstm, 'bias') ?? new Float32Array(4 * units);

  // W [1, 4H, I] and R [1, 4H, H]: tfjs's kernels transposed, gate blocks reordered.
  const w = graph.floats('lstm_W', [1, 4 * units, inputs], onnxGateMatrix(kernel, inputs, units));
  const r = graph.floats('lstm_R', [1, 4 * units, units], onnxGateMatrix(recurrent, units, units));
  // B [1, 8H] = (Wb, Rb); ONNX adds both, tfjs has one bias, so Rb is zeros.
  const b = graph.floats('lstm_B', [1, 8 * units], onnxGateBias(bias, units));

  // Empty first output: Y (every step's hidden state) is not needed, only Y_h.
  graph.node('LSTM', [x, w, r, b], ['', 'lstm_Y_h'], {
    hidden_size: { int: units },
    direction: { string: 'forward' },
    // ONNX's defaults (f = Sigmoid, g = h = Tanh), written out: they are what tfjs computes with
    // recurrentActivation 'sigmoid' and activation 'tanh'.
    activations: { strings: ['Sigmoid', 'Tanh', 'Tanh'] },
  });
  return 'lstm_Y_h';
}

/**
 * A tfjs LSTM matrix [rows, 4H] (gates i, f, c, o) as ONNX wants it: [4H, rows], transposed,
 * with gate blocks in ONNX's order (i, o, f, c).
 */
export function onnxGateMatrix(matrix: Float32Array, rows: number, units: number): Float32Array {
  const out = new Float32Array(4 * units * rows);
  ONNX_GATE_SOURCE.forEach((source, gate) => {
    for (let j = 0; j < units; j++) {
      const column = source * units + j;
      const outRow = (gate * units + j) * rows;
      for (let r = 0; r < rows; r++) out[outRow + r] = matrix[r * 4 * units + column] as number;
    }
  });
  return out;
}

/** A tfjs LSTM bias [4H] as ONNX's B [8H]: Wb in ONNX's gate order, then Rb = 0. */
export function onnxGateBias(bias: Float32Array, units: number): Float32Array {
  const out = new Float32Array(8 * units);
  ONNX_GATE_SOURCE.forEach((source, gate) => {
    out.set(bias.subarray(source * units, (source + 1) * units), gate * units);
  });
  return out;
}

function checkStructure(
  model: tf.LayersModel,
  shape: ModelShape,
): { lstm: tf.layers.Layer; head: tf.layers.Layer } {
  const input = model.inputs.map((t) => t.shape.join());
  const expected = [null, shape.windowLength, stepWidth(shape)];
  if (input.length !== 1 || input[0] !== expected.join()) {
    throw structureError(model, `input is not [N, ${shape.windowLength}, ${stepWidth(shape)}]`);
  }

  const lstm = layerOf(model, LSTM_LAYERS.lstm, 'LSTM');
  requireInbound(model, lstm, model.inputLayers[0]?.name ?? '');
  requireConfig(model, lstm, 'activation', 'tanh');
  requireConfig(model, lstm, 'recurrentActivation', 'sigmoid');
  for (const flag of ['returnSequences', 'returnState', 'goBackwards', 'stateful']) {
    requireConfig(model, lstm, flag, false);
  }

  const head = layerOf(model, LSTM_LAYERS.head, 'Dense');
  requireInbound(model, head, lstm.name);
  requireConfig(model, head, 'activation', 'softmax');
  requireConfig(model, head, 'units', shape.classes);
  if (model.outputLayers.map((l) => l.name).join() !== head.name) {
    throw structureError(model, `the model's output is not layer ${head.name}`);
  }
  return { lstm, head };
}
