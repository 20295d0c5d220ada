import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PassSeq } from '../../../services/stages/replay-passes.js';

describe('PassSeq', () => {
  it('keeps the first pass and shifts each later one past the capture before it', () => {
    const seqs = new PassSeq();
    const pass = (rows: [string, number][]) => rows.map(([c, s]) => seqs.seqOf(c, s));
    // A gap (a rejected or duplicate row) and a capture whose last row is missing.
    const rows: [string, number][] = [
      ['a', 0],
      ['a', 2],
      ['a', 3],
      ['b', 1],
    ];
    assert.deepEqual(pass(rows), [0, 2, 3, 1]);
    assert.equal(seqs.pass, 0);
    seqs.next();
    assert.deepEqual(pass(rows), [4, 6, 7, 3]);
    seqs.next();
    assert.deepEqual(pass(rows), [8, 10, 11, 5]);
    assert.equal(seqs.pass, 2);
  });
});
