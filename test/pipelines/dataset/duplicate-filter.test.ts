import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DuplicateFilter } from '../../../pipelines/dataset/duplicate-filter.js';
import { Random } from '../../../pipelines/features/random.js';

describe('DuplicateFilter', () => {
  it('tells exact duplicates from new records', () => {
    const filter = new DuplicateFilter(3);
    const rows = new Float64Array([1, 2, 3, 1, 2, 3, 1, 2, 3.0000001, 3, 2, 1]);
    const fresh = [0, 1, 2, 3].map((r) => filter.add(rows, r * 3));
    assert.deepEqual(fresh, [true, false, true, true]);
    assert.equal(filter.size, 3);
  });

  it('keeps every distinct record through many table growths', () => {
    const width = 5;
    const random = new Random(7);
    const distinct = 100_000;
    const values = new Float64Array(distinct * width);
    for (let i = 0; i < values.length; i++) values[i] = random.int(0, 1000);
    // Make every row distinct through its first field.
    for (let r = 0; r < distinct; r++) values[r * width] = r;

    const filter = new DuplicateFilter(width);
    let added = 0;
    for (let r = 0; r < distinct; r++) added += filter.add(values, r * width) ? 1 : 0;
    assert.equal(added, distinct);

    let again = 0;
    for (let r = 0; r < distinct; r++) again += filter.add(values, r * width) ? 1 : 0;
    assert.equal(again, 0);
  });
});
