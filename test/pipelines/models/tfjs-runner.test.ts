import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { selectBackend, tf } from '../../../pipelines/models/backend.js';
import type { ModelShape } from '../../../pipelines/models/model-shape.js';
import { reconstructionError } from '../../../pipelines/models/reconstruction.js';
import { TfjsRunner } from '../../../pipelines/models/tfjs-runner.js';
import { InvalidInputError, InvalidOptionError } from '../../../schemas/errors.js';
import { randomScoreInput, smallModels } from '../../helpers/runner-fixtures.js';
import type { SmallModels } from '../../helpers/runner-fixtures.js';

const SHAPE: ModelShape = { features: 5, classes: 3, windowLength: 4 };

describe('TfjsRunner', () => {
  let runner: TfjsRunner;
  let reference: SmallModels;

  before(async () => {
    await selectBackend({ requested: 'wasm' });
    runner = new TfjsRunner({ ...smallModels(SHAPE, 1), shape: SHAPE });
    reference = smallModels(SHAPE, 1);
  });

  after(async () => {
    await runner.dispose();
    reference.autoencoder.dispose();
    reference.lstm.dispose();
  });

  it('gives what the two models predict, and the reconstruction error', async () => {
    const input = randomScoreInput(SHAPE, 7, 1);
    const out = await runner.run(input);

    const [reconstruction, aeProbabilities] = tf.tidy(() =>
      (reference.autoencoder.predict(tf.tensor2d(input.records, [7, 5])) as tf.Tensor[]).map((t) =>
        t.dataSync(),
      ),
    );
    const lstmProbabilities = tf.tidy(() =>
      (reference.lstm.predict(tf.tensor3d(input.windows, [7, 4, 6])) as tf.Tensor).dataSync(),
    );
    assert.equal(out.rows, 7);
    assert.deepEqual(out.aeProbabilities, aeProbabilities);
    assert.deepEqual(out.lstmProbabilities, lstmProbabilities);
    assert.deepEqual(
      out.reconstructionError,
      reconstructionError(input.records, Float32Array.from(reconstruction ?? []), 7, 5),
    );
  });

  it('gives rows × classes probabilities that sum to one', async () => {
    const out = await runner.run(randomScoreInput(SHAPE, 3, 2));
    assert.equal(out.aeProbabilities.length, 9);
    assert.equal(out.lstmProbabilities.length, 9);
    assert.equal(out.reconstructionError.length, 3);
    for (const probabilities of [out.aeProbabilities, out.lstmProbabilities]) {
      for (let row = 0; row < 3; row++) {
        const sum = probabilities.subarray(row * 3, row * 3 + 3).reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - 1) < 1e-5);
      }
    }
  });

  it('scores one row, and no rows', async () => {
    assert.equal((await runner.run(randomScoreInput(SHAPE, 1, 3))).lstmProbabilities.length, 3);
    const none = await runner.run(randomScoreInput(SHAPE, 0, 3));
    assert.deepEqual(
      [none.rows, none.aeProbabilities.length, none.reconstructionError.length],
      [0, 0, 0],
    );
  });

  it('leaves no tensor behind', async () => {
    await runner.run(randomScoreInput(SHAPE, 4, 4));
    const before = tf.memory().numTensors;
    for (let k = 0; k < 5; k++) await runner.run(randomScoreInput(SHAPE, 4, 5 + k));
    assert.equal(tf.memory().numTensors, before);
  });

  it('names the array whose length is wrong, with the sizes', async () => {
    const input = randomScoreInput(SHAPE, 2, 6);
    await assert.rejects(
      runner.run({ ...input, windows: input.windows.subarray(1) }),
      (error: unknown) =>
        error instanceof InvalidInputError &&
        error.context['array'] === 'windows' &&
        /windows holds 47 values, expected 48/.test(error.message),
    );
    await assert.rejects(runner.run({ ...input, rows: 3 }), /records holds 10 values, expected 15/);
  });

  it('refuses models that do not match the shape', () => {
    const wrong = smallModels(SHAPE, 1);
    assert.throws(
      () => new TfjsRunner({ ...wrong, shape: { ...SHAPE, windowLength: 5 } }),
      (error: unknown) =>
        error instanceof InvalidOptionError &&
        error.context.option === 'lstm' &&
        /takes \[N, 4, 6\].*expected \[N, 5, 6\]/.test(error.message),
    );
    assert.throws(
      () => new TfjsRunner({ autoencoder: wrong.lstm, lstm: wrong.autoencoder, shape: SHAPE }),
      (error: unknown) =>
        error instanceof InvalidOptionError && error.context.option === 'autoencoder',
    );
    wrong.autoencoder.dispose();
    wrong.lstm.dispose();
  });

  it('disposes its models, once', async () => {
    const own = new TfjsRunner({ ...smallModels(SHAPE, 1), shape: SHAPE });
    const before = tf.memory().numTensors;
    await own.dispose();
    assert.ok(tf.memory().numTensors < before);
    await own.dispose();
  });
});
