import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';

import * as ort from 'onnxruntime-node';
import { pino } from 'pino';

import { selectBackend } from '../../../pipelines/models/backend.js';
import type { ModelShape } from '../../../pipelines/models/model-shape.js';
import { OnnxRunner } from '../../../pipelines/models/onnx-runner.js';
import type { OnnxRunnerOptions } from '../../../pipelines/models/onnx-runner.js';
import { exportAutoencoder } from '../../../pipelines/models/onnx/export-autoencoder.js';
import { exportLstm } from '../../../pipelines/models/onnx/export-lstm.js';
import { InvalidInputError, InvalidOptionError } from '../../../schemas/errors.js';
import { randomScoreInput, smallModels } from '../../helpers/runner-fixtures.js';

const SHAPE: ModelShape = { features: 5, classes: 3, windowLength: 4 };

function assertOption(option: string, pattern: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof InvalidOptionError, String(error));
    assert.equal(error.context.option, option);
    assert.match(error.message, pattern);
    return true;
  };
}

describe('OnnxRunner', () => {
  let models: Pick<OnnxRunnerOptions, 'autoencoder' | 'lstm'>;
  let runner: OnnxRunner;

  before(async () => {
    // A CUDA provider that cannot load makes ORT log to stderr itself; keep test output clean.
    ort.env.logLevel = 'fatal';
    await selectBackend({ requested: 'wasm' });
    const { autoencoder, lstm } = smallModels(SHAPE, 1);
    models = { autoencoder: exportAutoencoder(autoencoder, SHAPE), lstm: exportLstm(lstm, SHAPE) };
    autoencoder.dispose();
    lstm.dispose();
    runner = await OnnxRunner.create({ ...models, shape: SHAPE, intraOpThreads: 1 });
  });

  after(async () => {
    await runner.dispose();
  });

  it('runs on the CPU by default', () => {
    assert.equal(runner.executionProvider, 'cpu');
    assert.equal(runner.name, 'onnxruntime-cpu');
  });

  it('gives rows × classes probabilities and a reconstruction error per row', async () => {
    const out = await runner.run(randomScoreInput(SHAPE, 6, 1));
    assert.equal(out.rows, 6);
    assert.equal(out.aeProbabilities.length, 18);
    assert.equal(out.lstmProbabilities.length, 18);
    assert.equal(out.reconstructionError.length, 6);
    for (const probabilities of [out.aeProbabilities, out.lstmProbabilities]) {
      for (let row = 0; row < 6; row++) {
        const sum = probabilities.subarray(row * 3, row * 3 + 3).reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - 1) < 1e-5);
      }
    }
    assert.ok(out.reconstructionError.every((e) => e > 0));
  });

  it('gives the same outputs for the same input', async () => {
    const input = randomScoreInput(SHAPE, 3, 2);
    assert.deepEqual(await runner.run(input), await runner.run(input));
  });

  it('scores one row, and no rows', async () => {
    assert.equal((await runner.run(randomScoreInput(SHAPE, 1, 3))).aeProbabilities.length, 3);
    assert.equal((await runner.run(randomScoreInput(SHAPE, 0, 3))).rows, 0);
  });

  it('names the array whose length is wrong, with the sizes', async () => {
    const input = randomScoreInput(SHAPE, 2, 4);
    await assert.rejects(
      runner.run({ ...input, records: input.records.subarray(0, 9) }),
      (error: unknown) =>
        error instanceof InvalidInputError &&
        error.context['array'] === 'records' &&
        /records holds 9 values, expected 10 \(2 rows × 5 features\)/.test(error.message),
    );
  });

  it('falls back to the CPU with a warning when CUDA cannot start', async () => {
    const lines: { level: number; msg: string; reason?: string }[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
        done();
      },
    });
    const logger = pino({ level: 'info' }, stream);
    const cuda = await OnnxRunner.create({
      ...models,
      shape: SHAPE,
      executionProviders: ['cpu', 'cuda'],
      logger,
    });

    if (cuda.executionProvider === 'cpu') {
      const warning = lines.find((line) => line.level === 40);
      assert.match(warning?.msg ?? '', /CUDA session failed, using CPU/);
      assert.ok((warning?.reason ?? '').length > 0);
    }
    assert.equal((await cuda.run(randomScoreInput(SHAPE, 2, 5))).rows, 2);
    await cuda.dispose();
  });

  it('refuses models whose inputs or outputs do not match the shape', async () => {
    await assert.rejects(
      OnnxRunner.create({ ...models, shape: { ...SHAPE, windowLength: 5 } }),
      assertOption(
        'lstm',
        /inputs are windows \[batch, 4, 6\]; expected float32 windows \[batch, 5, 6\]/,
      ),
    );
    await assert.rejects(
      OnnxRunner.create({ autoencoder: models.lstm, lstm: models.autoencoder, shape: SHAPE }),
      assertOption('autoencoder', /inputs are windows/),
    );
  });

  it('refuses bytes that are not a model', async () => {
    await assert.rejects(
      OnnxRunner.create({ ...models, lstm: Uint8Array.from([1, 2, 3]), shape: SHAPE }),
      assertOption('lstm', /ONNX Runtime cannot load the model/),
    );
    await assert.rejects(
      OnnxRunner.create({ ...models, autoencoder: new Uint8Array(0), shape: SHAPE }),
      assertOption('autoencoder', /non-empty bytes/),
    );
  });

  it('refuses unknown execution providers and thread counts', async () => {
    const shape = SHAPE;
    await assert.rejects(
      OnnxRunner.create({ ...models, shape, executionProviders: ['tpu' as 'cpu'] }),
      assertOption('executionProviders', /unknown provider "tpu"/),
    );
    await assert.rejects(
      OnnxRunner.create({ ...models, shape, executionProviders: [] }),
      assertOption('executionProviders', /at least one/),
    );
    await assert.rejects(
      OnnxRunner.create({ ...models, shape, intraOpThreads: 0 }),
      assertOption('intraOpThreads', /positive integer/),
    );
  });

  it('can be disposed twice', async () => {
    const own = await OnnxRunner.create({ ...models, shape: SHAPE });
    await own.dispose();
    await own.dispose();
  });
});
