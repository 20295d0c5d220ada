import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Scaler } from '../../../pipelines/features/scaler.js';
import {
  selectionCounts,
  selectionMask,
  windowBatches,
  type WindowBatch,
} from '../../../pipelines/features/window-batches.js';
import type { FlowBatch, FlowBatchInfo } from '../../../schemas/flow-batch.js';

const INFO: FlowBatchInfo = { layout: '39', features: ['a', 'b'], captures: ['x', 'y'], rows: 5 };
const IDENTITY = new Scaler({
  layout: '39',
  features: ['a', 'b'],
  count: 1,
  means: [0, 0],
  stds: [1, 1],
  dataChecksum: '0'.repeat(64),
});

/** Five records: three of capture x, then two of capture y; feature a is the row number. */
function batches(): FlowBatch[] {
  const rows = (from: number, to: number, capture: number[]): FlowBatch => ({
    rows: to - from,
    columns: [
      Float32Array.from({ length: to - from }, (_, i) => from + i + 1),
      Float32Array.from({ length: to - from }, () => 0.5),
    ],
    capture: Int32Array.from(capture),
    seq: Uint32Array.from({ length: to - from }, (_, i) => from + i),
    label19: Uint8Array.from(capture),
    label6: Uint8Array.from(capture),
    label2: Uint8Array.from(capture),
  });
  // The first batch ends in the middle of capture x: windows must carry across batches.
  return [rows(0, 2, [0, 0]), rows(2, 5, [0, 1, 1])];
}

async function* from(items: FlowBatch[]) {
  for (const item of items) yield item;
}

async function collect(options: Partial<Parameters<typeof windowBatches>[1]> = {}) {
  const out: WindowBatch[] = [];
  const stream = windowBatches(from(batches()), {
    scaler: IDENTITY,
    info: INFO,
    windowLength: 3,
    labels: 'label6',
    chunkRows: 2,
    ...options,
  });
  for await (const batch of stream) out.push(batch);
  return out;
}

/** Feature a of each step of a window, with 0 for an absent step. */
function stepsOf(batch: WindowBatch, row: number): number[] {
  const width = 3;
  const window = batch.windows.subarray(row * 3 * width, (row + 1) * 3 * width);
  return [0, 1, 2].map((t) => ((window[t * width + 2] ?? 0) === 1 ? (window[t * width] ?? -1) : 0));
}

describe('windowBatches', () => {
  it('gives every record the window of its capture ending at it', async () => {
    const out = await collect();
    const windows = out.flatMap((b) => Array.from({ length: b.rows }, (_, r) => stepsOf(b, r)));
    assert.deepEqual(windows, [
      [0, 0, 1],
      [0, 1, 2],
      [1, 2, 3],
      [0, 0, 4],
      [0, 4, 5],
    ]);
    assert.deepEqual(
      out.flatMap((b) => [...b.rowIds]),
      [0, 1, 2, 3, 4],
    );
    assert.deepEqual(
      out.flatMap((b) => [...b.labels]),
      [0, 0, 0, 1, 1],
    );
    assert.deepEqual([...(out[0]?.records ?? [])], [1, 0.5, 2, 0.5]);
  });

  it('restarts windows where the segment changes, even inside one capture', async () => {
    const out = await collect({ segment: Int32Array.from([0, 0, 1, 2, 2]) });
    const b = out[1] as WindowBatch;
    assert.deepEqual(stepsOf(b, 0), [0, 0, 3]);
  });

  it('repeats and skips records by multiplicity, keeping skipped ones as context', async () => {
    const multiplicity = selectionCounts(Uint32Array.from([2, 2, 4]), 5);
    const out = await collect({ multiplicity });
    const rows = out.flatMap((b) => [...b.rowIds]);
    assert.deepEqual(rows, [2, 2, 4]);
    assert.deepEqual(stepsOf(out[0] as WindowBatch, 0), [1, 2, 3]);
    assert.deepEqual(stepsOf(out[1] as WindowBatch, 0), [0, 4, 5]);
  });

  it('turns row lists into counts and masks', () => {
    assert.deepEqual([...selectionCounts(Uint32Array.from([0, 3, 3]), 4)], [1, 0, 0, 2]);
    assert.deepEqual([...selectionMask(Uint32Array.from([1, 2]), 4)], [0, 1, 1, 0]);
    assert.throws(() => selectionCounts(Uint32Array.from([4]), 4), /past 4/);
  });
});
