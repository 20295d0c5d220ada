import { InvalidOptionError } from '../../schemas/errors.js';
import type { FlowBatch, FlowBatchInfo } from '../../schemas/flow-batch.js';
import type { Scaler } from './scaler.js';
import { WindowRing } from './window-ring.js';

export type LabelColumn = 'label19' | 'label6' | 'label2';

/** Scaled records and the windows ending at them, with what identifies each record. */
export interface WindowBatch {
  rows: number;
  /** `rows * features` scaled records. */
  records: Float32Array;
  /** `rows * windowLength * (features + 1)` window steps, oldest first. */
  windows: Float32Array;
  /** Class index at the chosen granularity. */
  labels: Uint8Array;
  /** Row of the split each record is. */
  rowIds: Uint32Array;
  capture: Int32Array;
  seq: Uint32Array;
}

export interface WindowBatchOptions {
  scaler: Scaler;
  info: FlowBatchInfo;
  windowLength: number;
  labels: LabelColumn;
  /**
   * Per row of the split, the sequence it belongs to: a change starts new windows, so windows
   * never cross from one capture, or one validation block, into another. Default: the capture.
   */
  segment?: Int32Array;
  /**
   * Per row, how many times it is emitted: 0 keeps it only as context for later windows,
   * more than 1 repeats it (an oversampled record). Default: every row once.
   */
  multiplicity?: Uint8Array | Uint16Array;
  /** Records per yielded batch; default 4096. */
  chunkRows?: number;
}

/** Turns balanced row ids (ascending, with repeats) into a per-row count. */
export function selectionCounts(rows: Uint32Array, totalRows: number): Uint16Array {
  const counts = new Uint16Array(totalRows);
  for (const row of rows) {
    if (row >= totalRows) throw new InvalidOptionError('rows', `row ${row} is past ${totalRows}`);
    if (counts[row] === 0xffff)
      throw new InvalidOptionError('rows', `row ${row} repeats too often`);
    counts[row] = (counts[row] ?? 0) + 1;
  }
  return counts;
}

/** The same rows marked once each: a validation or test selection. */
export function selectionMask(rows: Uint32Array, totalRows: number): Uint8Array {
  const mask = new Uint8Array(totalRows);
  for (const row of rows) mask[row] = 1;
  return mask;
}

class Chunk {
  rows = 0;
  readonly records: Float32Array;
  readonly windows: Float32Array;
  readonly labels: Uint8Array;
  readonly rowIds: Uint32Array;
  readonly capture: Int32Array;
  readonly seq: Uint32Array;

  constructor(
    readonly capacity: number,
    features: number,
    windowLength: number,
  ) {
    this.records = new Float32Array(capacity * features);
    this.windows = new Float32Array(capacity * windowLength * (features + 1));
    this.labels = new Uint8Array(capacity);
    this.rowIds = new Uint32Array(capacity);
    this.capture = new Int32Array(capacity);
    this.seq = new Uint32Array(capacity);
  }

  /** The filled part; the chunk is not written again after this. */
  take(): WindowBatch {
    const n = this.rows;
    const fraction = (a: { length: number }) => (n * a.length) / this.capacity;
    return {
      rows: n,
      records: this.records.subarray(0, fraction(this.records)),
      windows: this.windows.subarray(0, fraction(this.windows)),
      labels: this.labels.subarray(0, n),
      rowIds: this.rowIds.subarray(0, n),
      capture: this.capture.subarray(0, n),
      seq: this.seq.subarray(0, n),
    };
  }
}

/**
 * Scales the batches of a split, read in file order, and yields each selected record with the
 * window of the T records of its segment that end at it. Memory holds one input batch and one
 * output chunk whatever the size of the split.
 */
export async function* windowBatches(
  batches: AsyncIterable<FlowBatch>,
  options: WindowBatchOptions,
): AsyncGenerator<WindowBatch, void, undefined> {
  const { scaler, info, windowLength } = options;
  const features = info.features.length;
  const capacity = options.chunkRows ?? 4096;
  const ring = new WindowRing(windowLength, features);
  const record = new Float32Array(features);
  let chunk = new Chunk(capacity, features, windowLength);
  let row = 0;
  let previousSegment: number | undefined;

  for await (const batch of batches) {
    const scaled = scaler.transform(batch, info);
    for (let r = 0; r < batch.rows; r++, row++) {
      const segment = options.segment ? (options.segment[row] ?? -1) : (batch.capture[r] ?? -1);
      if (segment !== previousSegment) ring.reset();
      previousSegment = segment;
      for (let f = 0; f < features; f++) record[f] = scaled[f]?.[r] ?? 0;
      ring.push(record);

      const times = options.multiplicity ? (options.multiplicity[row] ?? 0) : 1;
      for (let k = 0; k < times; k++) {
        const at = chunk.rows++;
        chunk.records.set(record, at * features);
        ring.writeWindow(chunk.windows, at * windowLength * (features + 1));
        chunk.labels[at] = batch[options.labels][r] ?? 0;
        chunk.rowIds[at] = row;
        chunk.capture[at] = batch.capture[r] ?? 0;
        chunk.seq[at] = batch.seq[r] ?? 0;
        if (chunk.rows === capacity) {
          yield chunk.take();
          chunk = new Chunk(capacity, features, windowLength);
        }
      }
    }
  }
  if (chunk.rows > 0) yield chunk.take();
}
