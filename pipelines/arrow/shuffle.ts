import type { FlowBatch } from '../../schemas/flow-batch.js';
import { InvalidOptionError } from '../../schemas/errors.js';
import { deriveSeed, Random } from '../features/random.js';
import { concatBatches, takeRows } from './batch-ops.js';
import type { FlowReadOptions } from './flow-reader.js';

/** Loads the record batch at an index of the file, already converted. */
export type BatchLoader = (index: number) => Promise<FlowBatch | null>;

/** The first index of a sorted array whose value is >= `value`. */
function lowerBound(sorted: Uint32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? 0) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function checkSelection(selection: Uint32Array, totalRows: number): void {
  for (let i = 0; i < selection.length; i++) {
    const row = selection[i] ?? 0;
    if (row >= totalRows || (i > 0 && row < (selection[i - 1] ?? 0))) {
      throw new InvalidOptionError(
        'selection',
        `row ids must be ascending and below ${totalRows}; position ${i} holds ${row}`,
      );
    }
  }
}

/**
 * Streams the batches of a file with an optional row selection and per-epoch shuffling. The
 * shuffle permutes the batch order, then mixes the rows of `windowBatches` consecutive batches
 * at a time: a bounded-memory approximation of a full shuffle that is exact when the window
 * covers the file.
 */
export async function* shuffledBatches(
  load: BatchLoader,
  batchRows: readonly number[],
  features: number,
  options: FlowReadOptions,
): AsyncGenerator<FlowBatch, void, undefined> {
  const offsets = [0];
  for (const n of batchRows) offsets.push((offsets[offsets.length - 1] ?? 0) + n);
  const totalRows = offsets[offsets.length - 1] ?? 0;
  const { selection, shuffle } = options;
  if (selection) checkSelection(selection, totalRows);
  const windowBatches = shuffle?.windowBatches ?? 4;
  if (!Number.isInteger(windowBatches) || windowBatches < 1) {
    throw new InvalidOptionError('shuffle.windowBatches', 'must be a positive integer');
  }

  const order = batchRows.map((_, i) => i);
  const random = shuffle ? new Random(deriveSeed(shuffle.seed, 'epoch', shuffle.epoch)) : undefined;
  random?.shuffle(order);
  const step = random ? windowBatches : 1;

  for (let w = 0; w < order.length; w += step) {
    const parts: FlowBatch[] = [];
    for (const index of order.slice(w, w + step)) {
      const batch = await load(index);
      if (!batch) continue;
      parts.push(selection ? select(batch, selection, offsets[index] ?? 0) : batch);
    }
    const window = parts.length === 1 ? (parts[0] as FlowBatch) : concatBatches(parts, features);
    if (window.rows === 0) continue;
    if (!random) {
      yield window;
      continue;
    }

    const permutation = random.shuffle(Uint32Array.from({ length: window.rows }, (_, i) => i));
    const chunk = Math.max(1, Math.ceil(window.rows / parts.length));
    for (let start = 0; start < window.rows; start += chunk) {
      yield takeRows(window, permutation.subarray(start, start + chunk));
    }
  }
}

function select(batch: FlowBatch, selection: Uint32Array, firstRow: number): FlowBatch {
  const from = lowerBound(selection, firstRow);
  const to = lowerBound(selection, firstRow + batch.rows);
  const local = new Uint32Array(to - from);
  for (let i = from; i < to; i++) local[i - from] = (selection[i] ?? 0) - firstRow;
  return takeRows(batch, local);
}
