import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import * as ort from 'onnxruntime-node';

import { Random } from '../../../pipelines/features/random.js';
import { AUTOENCODER_BLOCKS, buildAutoencoder } from '../../../pipelines/models/autoencoder.js';
import { selectBackend, tf } from '../../../pipelines/models/backend.js';
import type { BackendName } from '../../../pipelines/models/backend.js';
import { buildLstm } from '../../../pipelines/models/lstm.js';
import { loadModel, saveModel } from '../../../pipelines/models/model-files.js';
import type {
  ModelOutputs,
  ModelShape,
  ScoreInput,
} from '../../../pipelines/models/model-shape.js';
import { OnnxRunner } from '../../../pipelines/models/onnx-runner.js';
import { exportAutoencoder } from '../../../pipelines/models/onnx/export-autoencoder.js';
import { exportLstm } from '../../../pipelines/models/onnx/export-lstm.js';
import {
  decodeModel,
  encodeModel,
  floatBytes,
  summarizeModel,
  tensorValues,
} from '../../../pipelines/models/onnx/graph-builder.js';
import { TfjsRunner } from '../../../pipelines/models/tfjs-runner.js';
import { tempDir } from '../../helpers/paths.js';

// The product's sizes: 45 features, windows of 10, 64 LSTM units, 6 classes.
const SHAPE: ModelShape = { features: 45, classes: 6, windowLength: 10 };
const UNITS = 64;
const TOLERANCE = 1e-4;
const BATCH_SIZES = [1, 7, 64];

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let k = 0; k < a.length; k++) max = Math.max(max, Math.abs((a[k] ?? 0) - (b[k] ?? 0)));
  return max;
}

// Gives each batch normalization statistics far from the identity it starts as.
function randomizeBatchNorms(model: tf.LayersModel, random: Random): void {
  for (const block of AUTOENCODER_BLOCKS) {
    const layer = model.getLayer(`${block}_bn`);
    const n = layer.getWeights()[0]?.size ?? 0;
    const draw = (f: () => number) => tf.tensor1d(Float32Array.from({ length: n }, f));
    const values = [
      draw(() => (random.next() < 0.5 ? -1 : 1) * (0.5 + 1.5 * random.next())), // gamma
      draw(() => random.normal() * 0.5), // beta
      draw(() => random.normal()), // moving mean
      draw(() => 0.2 + 3 * random.next()), // moving variance
    ];
    layer.setWeights(values);
    tf.dispose(values);
  }
}

function oneHot(rows: number, classes: number, random: Random): tf.Tensor2D {
  const labels = Array.from({ length: rows }, () => random.int(0, classes - 1));
  return tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat() as tf.Tensor2D);
}

// A few optimizer steps on random data, so the weights (and moving statistics) are not the
// initial ones.
async function train(ae: tf.LayersModel, lstm: tf.LayersModel, random: Random): Promise<void> {
  ae.compile({
    optimizer: tf.train.adam(0.01),
    loss: ['meanSquaredError', 'categoricalCrossentropy'],
  });
  lstm.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });

  for (let step = 0; step < 3; step++) {
    const input = batch(32, random);
    const records = tf.tensor2d(input.records, [32, SHAPE.features]);
    const windows = tf.tensor3d(input.windows, [32, SHAPE.windowLength, SHAPE.features + 1]);
    const labels = oneHot(32, SHAPE.classes, random);
    await ae.trainOnBatch(records, [records, labels]);
    await lstm.trainOnBatch(windows, labels);
    tf.dispose([records, windows, labels]);
  }
}

// Random records, and windows whose first `pad` steps are left padding (all zeros, flag 0).
function batch(rows: number, random: Random, padding = false): ScoreInput {
  const { features, windowLength } = SHAPE;
  const width = features + 1;
  const records = Float32Array.from({ length: rows * features }, () => 1.5 * random.normal());
  const windows = new Float32Array(rows * windowLength * width);
  for (let row = 0; row < rows; row++) {
    const pad = padding ? row % (windowLength + 1) : 0;
    for (let step = pad; step < windowLength; step++) {
      const at = (row * windowLength + step) * width;
      for (let f = 0; f < features; f++) windows[at + f] = 1.5 * random.normal();
      windows[at + features] = 1;
    }
  }
  return { rows, records, windows };
}

// The LSTM's ONNX model with its gate blocks left in tfjs's order (i, f, c, o): what an
// exporter that forgot to reorder them would write.
function misorderedGates(bytes: Uint8Array): Uint8Array {
  const model = decodeModel(bytes);
  // In the correct model, tfjs's gate k sits in ONNX block [0, 2, 3, 1][k].
  const back = [0, 2, 3, 1];
  for (const tensor of model.graph?.initializer ?? []) {
    if (!['lstm_W', 'lstm_R', 'lstm_B'].includes(tensor.name ?? '')) continue;
    const values = tensorValues(tensor) as Float32Array;
    const block = (tensor.name === 'lstm_B' ? values.length / 2 : values.length) / 4;
    const out = Float32Array.from(values);
    back.forEach((from, k) =>
      out.set(values.subarray(from * block, (from + 1) * block), k * block),
    );
    tensor.rawData = floatBytes(out);
  }
  return encodeModel(model);
}

function assertParity(tfjs: ModelOutputs, onnx: ModelOutputs): void {
  const checks = {
    aeProbabilities: maxDifference(tfjs.aeProbabilities, onnx.aeProbabilities),
    lstmProbabilities: maxDifference(tfjs.lstmProbabilities, onnx.lstmProbabilities),
    reconstructionError: maxDifference(tfjs.reconstructionError, onnx.reconstructionError),
  };
  for (const [output, difference] of Object.entries(checks)) {
    assert.ok(difference <= TOLERANCE, `${output} differs by ${difference}`);
  }
}

for (const backend of ['wasm', 'cpu'] as BackendName[]) {
  describe(`ONNX export parity with tfjs (${backend})`, () => {
    const random = new Random(2024);
    let autoencoder: tf.LayersModel;
    let lstm: tf.LayersModel;
    let aeBytes: Uint8Array;
    let lstmBytes: Uint8Array;
    let tfjs: TfjsRunner;
    let onnx: OnnxRunner;

    before(async () => {
      await selectBackend({ requested: backend });
      autoencoder = buildAutoencoder({ ...SHAPE, seed: 7 });
      lstm = buildLstm({ ...SHAPE, units: UNITS, seed: 7 });
      randomizeBatchNorms(autoencoder, random);
      await train(autoencoder, lstm, random);

      aeBytes = exportAutoencoder(autoencoder, SHAPE);
      lstmBytes = exportLstm(lstm, SHAPE);
      tfjs = new TfjsRunner({ autoencoder, lstm, shape: SHAPE });
      onnx = await OnnxRunner.create({ autoencoder: aeBytes, lstm: lstmBytes, shape: SHAPE });
    });

    after(async () => {
      await Promise.all([tfjs.dispose(), onnx.dispose()]);
    });

    it('folds batch normalizations that are far from the identity', () => {
      const folded = summarizeModel(aeBytes).initializers.get('enc1_gemm_B')?.values ?? [];
      const kernel = autoencoder.getLayer('enc1_dense').getWeights()[0]?.dataSync() ?? [];
      assert.ok(maxDifference(folded, kernel) > 0.1);
    });

    for (const rows of BATCH_SIZES) {
      it(`agrees on random records and windows, batch ${rows}`, async () => {
        const input = batch(rows, random);
        assertParity(await tfjs.run(input), await onnx.run(input));
      });
    }

    it('agrees on windows that start with left padding', async () => {
      const input = batch(2 * (SHAPE.windowLength + 1), random, true);
      assertParity(await tfjs.run(input), await onnx.run(input));
    });

    it('agrees on the reconstruction itself', async () => {
      const input = batch(16, random);
      const session = await ort.InferenceSession.create(aeBytes);
      const records = new ort.Tensor('float32', input.records, [16, SHAPE.features]);
      const fromOnnx = (await session.run({ records }))['reconstruction']?.data as Float32Array;
      await session.release();

      const fromTfjs = tf.tidy(() => {
        const out = autoencoder.predict(tf.tensor2d(input.records, [16, SHAPE.features]));
        return (out as tf.Tensor[])[0]?.dataSync() ?? new Float32Array(0);
      });
      assert.ok(maxDifference(fromTfjs, fromOnnx) <= TOLERANCE);
    });

    it('exports the same bytes from models saved and loaded again', async () => {
      const { dir, cleanup } = await tempDir('onnx-parity');
      try {
        await saveModel(autoencoder, dir, 'autoencoder');
        await saveModel(lstm, dir, 'lstm');
        const loaded = [await loadModel(dir, 'autoencoder'), await loadModel(dir, 'lstm')];
        assert.deepEqual(exportAutoencoder(loaded[0] as tf.LayersModel, SHAPE), aeBytes);
        assert.deepEqual(exportLstm(loaded[1] as tf.LayersModel, SHAPE), lstmBytes);
        loaded.forEach((model) => model.dispose());
      } finally {
        await cleanup();
      }
    });

    it('would catch gates left in tfjs order', async () => {
      const wrong = await OnnxRunner.create({
        autoencoder: aeBytes,
        lstm: misorderedGates(lstmBytes),
        shape: SHAPE,
      });
      const input = batch(64, random, true);
      const [expected, got] = [await tfjs.run(input), await wrong.run(input)];
      await wrong.dispose();

      const difference = maxDifference(expected.lstmProbabilities, got.lstmProbabilities);
      assert.ok(difference > 100 * TOLERANCE, `only ${difference} apart`);
    });
  });
}
