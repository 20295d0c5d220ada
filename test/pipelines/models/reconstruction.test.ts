import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { reconstructionError } from '../../../pipelines/models/reconstruction.js';
import { InvalidInputError, InvalidOptionError } from '../../../schemas/errors.js';

describe('reconstructionError', () => {
  it('is the mean squared difference of each row', () => {
    const records = Float32Array.from([1, 2, 3, 0, 0, 0]);
    const reconstruction = Float32Array.from([1, 0, 6, 1, -1, 2]);
    const errors = reconstructionError(records, reconstruction, 2, 3);
    assert.deepEqual(Array.from(errors), [(0 + 4 + 9) / 3, (1 + 1 + 4) / 3].map(Math.fround));
  });

  it('sums in float64', () => {
    // 1 followed by many tiny squares: a float32 running sum would drop every one of them.
    const features = 4097;
    const records = new Float32Array(features);
    const reconstruction = new Float32Array(features).fill(2 ** -13);
    reconstruction[0] = 1;
    const [error] = reconstructionError(records, reconstruction, 1, features);
    const exact = (1 + 4096 * 2 ** -26) / features;
    assert.equal(error, Math.fround(exact));
  });

  it('gives nothing for no rows', () => {
    assert.equal(reconstructionError(new Float32Array(0), new Float32Array(0), 0, 3).length, 0);
  });

  it('names the array whose length is wrong', () => {
    assert.throws(
      () => reconstructionError(new Float32Array(6), new Float32Array(5), 2, 3),
      (error: unknown) =>
        error instanceof InvalidInputError &&
        error.context['array'] === 'reconstruction' &&
        /holds 5 values, expected 6 \(2 rows × 3 features\)/.test(error.message),
    );
  });

  it('refuses a feature count below one', () => {
    assert.throws(
      () => reconstructionError(new Float32Array(0), new Float32Array(0), 0, 0),
      InvalidOptionError,
    );
  });
});
