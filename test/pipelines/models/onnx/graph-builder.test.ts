import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import * as ort from 'onnxruntime-node';

import {
  decodeModel,
  encodeModel,
  GraphBuilder,
  ONNX_IR_VERSION,
  ONNX_OPSET,
  summarizeModel,
} from '../../../../pipelines/models/onnx/graph-builder.js';

// y = softmax(x · B + C) for x [batch, 2], B [2, 3].
function tinyModel(): Uint8Array {
  const graph = new GraphBuilder();
  const x = graph.input('x', ['batch', 2]);
  const b = graph.floats('B', [2, 3], Float32Array.from([1, 0, -1, 0.5, 2, 0]));
  const c = graph.floats('C', [3], Float32Array.from([0.1, 0.2, 0.3]));
  const logits = graph.node('Gemm', [x, b, c], ['logits']);
  graph.node('Softmax', [logits], ['y'], { axis: { int: -1 } });
  graph.output('y', ['batch', 3]);
  return graph.toModel({ name: 'tiny', description: 'a test graph' });
}

describe('GraphBuilder', () => {
  it('declares IR version 8 and opset 17 of the default domain', () => {
    const model = summarizeModel(tinyModel());
    assert.equal(ONNX_IR_VERSION, 8);
    assert.equal(ONNX_OPSET, 17);
    assert.equal(model.irVersion, 8);
    assert.deepEqual(model.opsets, [':17']);
    assert.equal(model.name, 'tiny');
    assert.equal(model.description, 'a test graph');
  });

  it('writes float32 values with a symbolic batch dimension and fixed ones', () => {
    const model = summarizeModel(tinyModel());
    assert.deepEqual(model.inputs, [{ name: 'x', dims: ['batch', 2] }]);
    assert.deepEqual(model.outputs, [{ name: 'y', dims: ['batch', 3] }]);
    assert.equal(decodeModel(tinyModel()).graph?.input?.[0]?.type?.tensorType?.elemType, 1);
  });

  it('wires nodes by tensor name', () => {
    assert.deepEqual(
      summarizeModel(tinyModel()).nodes.map((n) => [n.opType, n.inputs, n.outputs]),
      [
        ['Gemm', ['x', 'B', 'C'], ['logits']],
        ['Softmax', ['logits'], ['y']],
      ],
    );
  });

  it('stores constants exactly', () => {
    const values = Float32Array.from([1.5, -0, Math.fround(Math.PI), 1e-30]);
    const graph = new GraphBuilder();
    graph.floats('k', [2, 2], values);
    graph.int64s('axes', [0, -1, 2 ** 40]);
    const { initializers } = summarizeModel(graph.toModel({ name: 'g' }));

    assert.deepEqual(initializers.get('k'), { dims: [2, 2], values });
    assert.deepEqual(initializers.get('axes'), { dims: [3], values: [0, -1, 2 ** 40] });
  });

  it('refuses a constant whose size does not match its dims', () => {
    assert.throws(
      () => new GraphBuilder().floats('k', [2, 2], new Float32Array(3)),
      /need 4 values/,
    );
  });

  it('refuses a tensor name defined twice', () => {
    const graph = new GraphBuilder();
    graph.input('x', [1]);
    graph.node('Relu', ['x'], ['y']);
    assert.throws(() => graph.node('Relu', ['x'], ['y']), /tensor y is defined twice/);
    assert.throws(() => graph.floats('x', [1], new Float32Array(1)), /tensor x is defined twice/);
  });

  it('writes typed attributes', () => {
    const graph = new GraphBuilder();
    graph.node('Op', ['a'], ['b'], {
      f: { float: 0.25 },
      i: { int: -1 },
      is: { ints: [1, 0, 2] },
      s: { string: 'forward' },
      ss: { strings: ['Sigmoid', 'Tanh'] },
    });
    const [node] = summarizeModel(graph.toModel({ name: 'g' })).nodes;
    assert.deepEqual(node?.attributes, {
      f: 0.25,
      i: -1,
      is: [1, 0, 2],
      s: 'forward',
      ss: ['Sigmoid', 'Tanh'],
    });
  });

  it('encodes a decoded model to the same bytes', () => {
    const bytes = tinyModel();
    assert.deepEqual(encodeModel(decodeModel(bytes)), bytes);
  });

  it('gives a model ONNX Runtime runs', async () => {
    const session = await ort.InferenceSession.create(tinyModel());
    const x = new ort.Tensor('float32', Float32Array.from([1, 2, 0, 0]), [2, 2]);
    const y = (await session.run({ x }))['y']?.data as Float32Array;
    await session.release();

    const expected = [
      [1 + 1 + 0.1, 0 + 4 + 0.2, -1 + 0 + 0.3],
      [0.1, 0.2, 0.3],
    ].flatMap((logits) => {
      const exp = logits.map(Math.exp);
      const sum = exp.reduce((a, b) => a + b, 0);
      return exp.map((e) => e / sum);
    });
    expected.forEach((p, k) => assert.ok(Math.abs((y[k] ?? 0) - p) < 1e-6, `y[${k}]`));
  });
});
