import type { FlowBatch } from '../../schemas/flow-batch.js';
import { windowBatches, type WindowBatchOptions } from '../features/window-batches.js';
import type { ScoredBatch, Scorer } from './scorer.js';

/** Every selected record of a split with its scores, in file order. */
export interface ScoredSplit extends ScoredBatch {
  labels: Uint8Array;
  rowIds: Uint32Array;
  capture: Int32Array;
  seq: Uint32Array;
}

type Column = Exclude<keyof ScoredSplit, 'rows'>;

const COLUMNS: readonly Column[] = [
  'probabilities',
  'predicted',
  'aeProbabilities',
  'aePredicted',
  'lstmProbabilities',
  'lstmPredicted',
  'reconstructionError',
  'unknown',
  'labels',
  'rowIds',
  'capture',
  'seq',
];

function concat(parts: readonly ScoredSplit[]): ScoredSplit {
  const rows = parts.reduce((sum, p) => sum + p.rows, 0);
  const joined = { rows } as ScoredSplit;
  for (const column of COLUMNS) {
    const first = parts[0]?.[column];
    const length = parts.reduce((sum, p) => sum + p[column].length, 0);
    const Ctor = (first?.constructor ?? Float32Array) as new (n: number) => ScoredSplit[Column];
    const out = new Ctor(length);
    let offset = 0;
    for (const part of parts) {
      (out as Float32Array).set(part[column], offset);
      offset += part[column].length;
    }
    (joined as unknown as Record<Column, unknown>)[column] = out;
  }
  return joined;
}

/**
 * Scores the selected records of a split, read in file order, each with the window of its
 * segment that ends at it: what offline evaluation and validation both run.
 */
export async function scoreSplit(
  batches: AsyncIterable<FlowBatch>,
  scorer: Scorer,
  options: WindowBatchOptions,
): Promise<ScoredSplit> {
  const parts: ScoredSplit[] = [];
  for await (const windows of windowBatches(batches, options)) {
    const scored = await scorer.score(windows);
    parts.push({
      ...scored,
      labels: windows.labels,
      rowIds: windows.rowIds,
      capture: windows.capture,
      seq: windows.seq,
    });
  }
  return concat(parts);
}
