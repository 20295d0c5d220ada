/**
 * Scoring and training speed of the two models, side by side in one run:
 *
 *   1. scoring windows/s and milliseconds per batch at batch sizes 1, 64 and 1024, for the
 *      autoencoder, the LSTM and the ensemble (both models and their combination), on ONNX
 *      Runtime (CPU) and on tfjs (wasm);
 *   2. training samples/s (one mini-batch of 64 through both models) per tfjs backend that
 *      loads here.
 *
 * The models have the bundle's default sizes (45 features, T = 10, 64 LSTM units, encoder
 * 64-32-16, 6 classes) with seeded random weights: speed does not depend on what was learned.
 *
 * Usage: node dist/bench/scoring.bench.js [--seconds S] [--markdown]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

import * as tf from '@tensorflow/tfjs';
import Table from 'cli-table3';
import * as ort from 'onnxruntime-node';

import { buildAutoencoder } from '../pipelines/models/autoencoder.js';
import { selectBackend, type BackendName } from '../pipelines/models/backend.js';
import { combineProbabilities } from '../pipelines/models/ensemble.js';
import { buildLstm } from '../pipelines/models/lstm.js';
import { stepWidth, type ModelShape } from '../pipelines/models/model-shape.js';
import { exportAutoencoder } from '../pipelines/models/onnx/export-autoencoder.js';
import { exportLstm } from '../pipelines/models/onnx/export-lstm.js';
import { Random } from '../pipelines/features/random.js';
import { machineRows, markdownTable, rate } from './report.js';

const SHAPE: ModelShape = { features: 45, classes: 6, windowLength: 10 };
const BATCH_SIZES = [1, 64, 1024];
const WEIGHTS = { autoencoder: 0.4, lstm: 0.6, formula: 'bench' };

interface Inputs {
  rows: number;
  records: Float32Array;
  windows: Float32Array;
}

function randomInputs(rows: number, random: Random): Inputs {
  const records = Float32Array.from({ length: rows * SHAPE.features }, () => random.normal());
  const windows = Float32Array.from({ length: rows * SHAPE.windowLength * stepWidth(SHAPE) }, () =>
    random.normal(),
  );
  return { rows, records, windows };
}

/** Runs `job` repeatedly for about `seconds` after a warm-up; returns milliseconds per call. */
async function time(job: () => Promise<unknown>, seconds: number): Promise<number> {
  for (let i = 0; i < 3; i++) await job();
  let calls = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000 || calls < 3) {
    await job();
    calls++;
  }
  return (performance.now() - start) / calls;
}

type Model = 'autoencoder' | 'LSTM' | 'ensemble';

interface Engine {
  name: string;
  run(model: Model, input: Inputs): Promise<unknown>;
}

async function onnxEngine(ae: tf.LayersModel, lstm: tf.LayersModel): Promise<Engine> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
  };
  const aeSession = await ort.InferenceSession.create(exportAutoencoder(ae, SHAPE), options);
  const lstmSession = await ort.InferenceSession.create(exportLstm(lstm, SHAPE), options);
  const runAe = (input: Inputs) =>
    aeSession.run({
      records: new ort.Tensor('float32', input.records, [input.rows, SHAPE.features]),
    });
  const runLstm = (input: Inputs) =>
    lstmSession.run({
      windows: new ort.Tensor('float32', input.windows, [
        input.rows,
        SHAPE.windowLength,
        stepWidth(SHAPE),
      ]),
    });
  return {
    name: 'ONNX Runtime (CPU)',
    async run(model, input) {
      if (model === 'autoencoder') return runAe(input);
      if (model === 'LSTM') return runLstm(input);
      const [a, l] = await Promise.all([runAe(input), runLstm(input)]);
      return combineProbabilities(
        WEIGHTS,
        a.probabilities?.data as Float32Array,
        l.probabilities?.data as Float32Array,
      );
    },
  };
}

function tfjsEngine(ae: tf.LayersModel, lstm: tf.LayersModel, backend: string): Engine {
  const predict = async (model: tf.LayersModel, x: tf.Tensor): Promise<Float32Array[]> => {
    const out = model.predict(x);
    const tensors = Array.isArray(out) ? out : [out];
    const data = await Promise.all(tensors.map((t) => t.data() as Promise<Float32Array>));
    tf.dispose([x, ...tensors]);
    return data;
  };
  const runAe = (input: Inputs) =>
    predict(ae, tf.tensor2d(input.records, [input.rows, SHAPE.features]));
  const runLstm = (input: Inputs) =>
    predict(lstm, tf.tensor3d(input.windows, [input.rows, SHAPE.windowLength, stepWidth(SHAPE)]));
  return {
    name: `tfjs (${backend})`,
    async run(model, input) {
      if (model === 'autoencoder') return runAe(input);
      if (model === 'LSTM') return runLstm(input);
      const [a, l] = [await runAe(input), await runLstm(input)];
      return combineProbabilities(WEIGHTS, a[1] as Float32Array, l[0] as Float32Array);
    },
  };
}

async function trainingRate(backend: BackendName, seconds: number): Promise<number | undefined> {
  try {
    await selectBackend({ requested: backend });
  } catch {
    return undefined;
  }
  const ae = buildAutoencoder({ ...SHAPE, seed: 1 });
  const lstm = buildLstm({ ...SHAPE, seed: 1 });
  ae.compile({
    optimizer: tf.train.adam(1e-3),
    loss: ['meanSquaredError', 'categoricalCrossentropy'],
  });
  lstm.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });

  const input = randomInputs(64, new Random(2));
  const records = tf.tensor2d(input.records, [64, SHAPE.features]);
  const windows = tf.tensor3d(input.windows, [64, SHAPE.windowLength, stepWidth(SHAPE)]);
  const labels = tf.oneHot(
    tf.tensor1d(
      Int32Array.from({ length: 64 }, (_, i) => i % 6),
      'int32',
    ),
    6,
  );
  const ms = await time(async () => {
    await ae.trainOnBatch(records, [records, labels]);
    await lstm.trainOnBatch(windows, labels);
  }, seconds);
  tf.dispose([records, windows, labels]);
  ae.dispose();
  lstm.dispose();
  return 64 / (ms / 1000);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '2' },
      markdown: { type: 'boolean', default: false },
    },
  });
  const seconds = Number(values.seconds);

  const backend = await selectBackend({ requested: 'wasm' });
  const ae = buildAutoencoder({ ...SHAPE, seed: 1 });
  const lstm = buildLstm({ ...SHAPE, seed: 1 });
  const engines = [await onnxEngine(ae, lstm), tfjsEngine(ae, lstm, backend.name)];
  const random = new Random(1);
  const inputs = new Map(BATCH_SIZES.map((n) => [n, randomInputs(n, random)]));

  const header = ['model', 'batch', ...engines.flatMap((e) => [`${e.name} windows/s`, 'ms/batch'])];
  const rows: string[][] = [];
  for (const model of ['autoencoder', 'LSTM', 'ensemble'] as const) {
    for (const batch of BATCH_SIZES) {
      const input = inputs.get(batch) as Inputs;
      const row = [model, String(batch)];
      for (const engine of engines) {
        const ms = await time(() => engine.run(model, input), seconds);
        row.push(rate(batch, ms / 1000), ms.toFixed(3));
      }
      rows.push(row);
      console.error(`measured ${model} at batch ${batch}`);
    }
  }

  const training: string[][] = [];
  for (const name of ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const) {
    const samples = await trainingRate(name, seconds);
    training.push([name, samples === undefined ? 'not available here' : rate(samples, 1)]);
  }

  const machine = [
    ...(await machineRows()),
    ['onnxruntime-node', ort.env.versions.common ?? '?'],
    ['tfjs', tf.version.tfjs],
  ];
  const scoring = new Table({ head: header });
  scoring.push(...rows);
  const trainingTable = new Table({
    head: ['tfjs backend', 'training samples/s (batch 64, AE + LSTM)'],
  });
  trainingTable.push(...training);
  const machineTable = new Table();
  machineTable.push(...machine);
  console.log(scoring.toString());
  console.log(trainingTable.toString());
  console.log(machineTable.toString());
  if (values.markdown) {
    console.log(`\n${markdownTable(header, rows)}\n`);
    console.log(`${markdownTable(['tfjs backend', 'training samples/s'], training)}\n`);
    console.log(markdownTable(['', ''], machine));
  }
}

await main();
