import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { WindowBatch } from '../../../pipelines/features/window-batches.js';
import { shuffledMiniBatches } from '../../../pipelines/training/shuffle-buffer.js';

function part(from: number, rows: number): WindowBatch {
  return {
    rows,
    records: Float32Array.from({ length: rows * 2 }, (_, i) => from + Math.floor(i / 2)),
    windows: Float32Array.from({ length: rows * 3 }, (_, i) => from + Math.floor(i / 3)),
    labels: Uint8Array.from({ length: rows }, (_, i) => (from + i) % 7),
    rowIds: Uint32Array.from({ length: rows }, (_, i) => from + i),
    capture: new Int32Array(rows),
    seq: new Uint32Array(rows),
  };
}

async function run(epoch: number, bufferRows = 1000) {
  async function* stream() {
    yield part(0, 30);
    yield part(30, 45);
    yield part(75, 25);
  }
  const ids: number[] = [];
  const sizes: number[] = [];
  for await (const mb of shuffledMiniBatches(stream(), {
    seed: 9,
    epoch,
    batchSize: 16,
    bufferRows,
  })) {
    sizes.push(mb.rows);
    for (let i = 0; i < mb.rows; i++) {
      const id = mb.records[i * 2] ?? -1;
      // The record, its window and its label stay together.
      assert.equal(mb.records[i * 2 + 1], id);
      assert.equal(mb.windows[i * 3], id);
      assert.equal(mb.labels[i], id % 7);
      ids.push(id);
    }
  }
  return { ids, sizes };
}

describe('shuffledMiniBatches', () => {
  it('hands out every record once, shuffled, in mini-batches', async () => {
    const { ids, sizes } = await run(0);
    assert.deepEqual(
      [...ids].sort((a, b) => a - b),
      Array.from({ length: 100 }, (_, i) => i),
    );
    assert.notDeepEqual(
      ids,
      Array.from({ length: 100 }, (_, i) => i),
    );
    assert.deepEqual(sizes, [16, 16, 16, 16, 16, 16, 4]);
  });

  it('reproduces an epoch from its seed and changes between epochs', async () => {
    assert.deepEqual((await run(0)).ids, (await run(0)).ids);
    assert.notDeepEqual((await run(0)).ids, (await run(1)).ids);
  });

  it('shuffles within the bounded buffer', async () => {
    const { ids } = await run(0, 30);
    // The first buffer holds exactly the first part's 30 records.
    assert.deepEqual(
      ids.slice(0, 30).sort((a, b) => a - b),
      Array.from({ length: 30 }, (_, i) => i),
    );
  });
});
