import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { WindowRing } from '../../../pipelines/features/window-ring.js';

function windowOf(ring: WindowRing): number[][] {
  const width = ring.features + 1;
  const out = new Float32Array(ring.windowLength * width);
  ring.writeWindow(out, 0);
  return Array.from({ length: ring.windowLength }, (_, t) => [
    ...out.subarray(t * width, (t + 1) * width),
  ]);
}

describe('WindowRing', () => {
  it('left-pads the first records of a sequence with absent steps', () => {
    const ring = new WindowRing(3, 2);
    ring.push([1, 2]);
    assert.deepEqual(windowOf(ring), [
      [0, 0, 0],
      [0, 0, 0],
      [1, 2, 1],
    ]);
    ring.push([3, 4]);
    assert.deepEqual(windowOf(ring), [
      [0, 0, 0],
      [1, 2, 1],
      [3, 4, 1],
    ]);
  });

  it('keeps the last T records, oldest first, once full', () => {
    const ring = new WindowRing(3, 1);
    for (const v of [1, 2, 3, 4, 5]) ring.push([v]);
    assert.equal(ring.size, 3);
    assert.deepEqual(windowOf(ring), [
      [3, 1],
      [4, 1],
      [5, 1],
    ]);
    assert.deepEqual([...ring.snapshot()], [3, 4, 5]);
  });

  it('starts over after a reset', () => {
    const ring = new WindowRing(2, 1);
    ring.push([7]);
    ring.push([8]);
    ring.reset();
    ring.push([9]);
    assert.deepEqual(windowOf(ring), [
      [0, 0],
      [9, 1],
    ]);
  });

  it('reads a record at an offset and writes a window at an offset', () => {
    const ring = new WindowRing(1, 2);
    ring.push([0, 0, 5, 6], 2);
    const out = new Float32Array(5).fill(-1);
    ring.writeWindow(out, 2);
    assert.deepEqual([...out], [-1, -1, 5, 6, 1]);
  });

  it('refuses a window length that is not a positive integer', () => {
    assert.throws(() => new WindowRing(0, 3), RangeError);
  });
});
