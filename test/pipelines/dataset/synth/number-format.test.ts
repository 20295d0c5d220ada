import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  formatFloat,
  formatInt,
  formatTenths,
} from '../../../../pipelines/dataset/synth/number-format.js';

describe('formatFloat', () => {
  it('writes whole values with a trailing .0, as Python does', () => {
    assert.equal(formatFloat(64), '64.0');
    assert.equal(formatFloat(0), '0.0');
    assert.equal(formatFloat(169402600), '169402600.0');
  });

  it('writes the shortest digits that read back to the same double', () => {
    for (const value of [122.25832121235086, 0.0081794023513793, 2963.777777777778, 83.1]) {
      assert.equal(formatFloat(value), String(value));
      assert.equal(Number(formatFloat(value)), value);
    }
  });

  it('switches to a two-digit exponent below 1e-4, as in the real files', () => {
    assert.equal(formatFloat(5.929470062255859e-5), '5.929470062255859e-05');
    assert.equal(formatFloat(1e-7), '1e-07');
    assert.equal(formatFloat(0.0001), '0.0001');
    assert.equal(formatFloat(1.5e16), '1.5e+16');
    assert.equal(formatFloat(1.5e-120), '1.5e-120');
  });

  it('refuses NaN and infinities', () => {
    assert.throws(() => formatFloat(Number.NaN), RangeError);
    assert.throws(() => formatFloat(Infinity), RangeError);
  });
});

describe('formatInt', () => {
  it('writes integers without a decimal point', () => {
    assert.equal(formatInt(9), '9');
    assert.equal(formatInt(1521), '1521');
  });

  it('refuses a value that is not an integer', () => {
    assert.throws(() => formatInt(1.5), RangeError);
    assert.throws(() => formatInt(Number.NaN), RangeError);
  });
});

describe('formatTenths', () => {
  it('writes k / 10 in steps of 0.1', () => {
    assert.deepEqual(
      Array.from({ length: 11 }, (_, k) => formatTenths(k)),
      ['0.0', '0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9', '1.0'],
    );
  });

  it('refuses counts outside 0..10', () => {
    assert.throws(() => formatTenths(11), RangeError);
    assert.throws(() => formatTenths(-1), RangeError);
  });
});
