import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseField } from '../../../pipelines/dataset/field-parser.js';

describe('parseField', () => {
  it('reads the decimal forms found in the data set', () => {
    assert.equal(parseField('8.0'), 8);
    assert.equal(parseField('17'), 17);
    assert.equal(parseField('9.621514214409722e-05'), 9.621514214409722e-5);
    assert.equal(parseField('1.694026e+08'), 1.694026e8);
    assert.equal(parseField('-3.5'), -3.5);
    assert.equal(parseField('.5'), 0.5);
    assert.equal(parseField(' 12 '), 12);
  });

  it('calls empty and NaN fields missing', () => {
    for (const raw of ['', '  ', 'NaN', 'nan', 'NA', 'null']) {
      const result = parseField(raw);
      assert.equal(typeof result === 'object' && result.code, 'MISSING_VALUE', raw);
    }
  });

  it('calls infinities and overflowing numbers not finite', () => {
    for (const raw of ['inf', '-Infinity', '1e999']) {
      const result = parseField(raw);
      assert.equal(typeof result === 'object' && result.code, 'NOT_FINITE', raw);
    }
  });

  it('refuses text and the non-decimal forms Number() would accept', () => {
    for (const raw of ['abc', '0x10', '0b11', '1_000', '1,5', '12abc', '--1']) {
      const result = parseField(raw);
      assert.equal(typeof result === 'object' && result.code, 'NOT_NUMERIC', raw);
    }
  });
});
