import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { checkScoreInput } from '../../../pipelines/models/model-shape.js';
import type { ModelShape } from '../../../pipelines/models/model-shape.js';
import { InvalidInputError } from '../../../schemas/errors.js';

describe('checkScoreInput', () => {
  const shape: ModelShape = { features: 3, classes: 2, windowLength: 4 };
  const input = (rows: number, records: number, windows: number) => ({
    rows,
    records: new Float32Array(records),
    windows: new Float32Array(windows),
  });

  it('accepts the sizes the shape implies, none included', () => {
    checkScoreInput(input(2, 6, 32), shape);
    checkScoreInput(input(0, 0, 0), shape);
  });

  it('names records and windows of the wrong length, with the sizes', () => {
    assert.throws(
      () => checkScoreInput(input(2, 5, 32), shape),
      /records holds 5 values, expected 6 \(2 rows × 3 features\)/,
    );
    assert.throws(
      () => checkScoreInput(input(2, 6, 30), shape),
      (error: unknown) =>
        error instanceof InvalidInputError &&
        error.code === 'FIELD_COUNT' &&
        error.context['array'] === 'windows' &&
        /holds 30 values, expected 32 \(2 rows × 4 steps × 4 values\)/.test(error.message),
    );
  });

  it('refuses a row count that is not a count', () => {
    assert.throws(() => checkScoreInput(input(-1, 0, 0), shape), /rows must be/);
    assert.throws(() => checkScoreInput(input(1.5, 0, 0), shape), /rows must be/);
  });

  it('refuses arrays that are not Float32Array', () => {
    const bad = {
      rows: 1,
      records: [1, 2, 3] as unknown as Float32Array,
      windows: new Float32Array(16),
    };
    assert.throws(() => checkScoreInput(bad, shape), /records must be a Float32Array/);
  });
});
