import { InvalidOptionError } from '../../schemas/errors.js';
import type { FlowRowIndex } from '../../schemas/flow-batch.js';
import { CLASSES_19, CLASSES_6 } from '../../schemas/taxonomy.js';

/**
 * The rows of a split grouped by capture and ordered by `seq` within each: capture c's rows are
 * `rows[offsets[c] .. offsets[c + 1])`.
 */
export interface CaptureOrder {
  readonly offsets: Uint32Array;
  readonly rows: Uint32Array;
}

/**
 * Groups row ids by capture (a counting sort, stable in row id), then sorts each capture's rows
 * by `seq`, ties by row id. Capture indices must lie in `0 .. captureCount - 1`.
 */
export function groupByCapture(
  capture: Int32Array,
  seq: Uint32Array,
  rows: number,
  captureCount: number,
): CaptureOrder {
  const offsets = new Uint32Array(captureCount + 1);
  for (let i = 0; i < rows; i++) {
    const slot = (capture[i] ?? 0) + 1;
    offsets[slot] = (offsets[slot] ?? 0) + 1;
  }
  for (let c = 0; c < captureCount; c++) offsets[c + 1] = (offsets[c + 1] ?? 0) + (offsets[c] ?? 0);

  const next = offsets.slice(0, captureCount);
  const grouped = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) {
    const c = capture[i] ?? 0;
    const at = next[c] ?? 0;
    grouped[at] = i;
    next[c] = at + 1;
  }

  for (let c = 0; c < captureCount; c++) {
    sortBySeq(grouped.subarray(offsets[c], offsets[c + 1]), seq);
  }
  return { offsets, rows: grouped };
}

// Files are read in order, so rows usually arrive sorted already: check before sorting.
function sortBySeq(ids: Uint32Array, seq: Uint32Array): void {
  let sorted = true;
  for (let k = 1; k < ids.length && sorted; k++) {
    sorted = (seq[ids[k - 1] ?? 0] ?? 0) <= (seq[ids[k] ?? 0] ?? 0);
  }
  if (sorted) return;

  ids.sort((a, b) => (seq[a] ?? 0) - (seq[b] ?? 0) || a - b);
}

/**
 * Checks a row index before it is grouped by capture: every field holds one entry per row, and
 * capture and label indices lie in range. The index arrives from files, so a bad one is reported
 * by the field that is wrong.
 *
 * @throws InvalidOptionError naming the field (`index.capture`, `index.seq`, `index.label19`,
 *   `index.label6`).
 */
export function checkRowIndex(index: FlowRowIndex, captures: readonly string[]): void {
  for (const field of ['capture', 'seq', 'label19', 'label6'] as const) {
    if (index[field].length !== index.rows) {
      throw new InvalidOptionError(
        `index.${field}`,
        `has ${index[field].length} entries for ${index.rows} rows`,
      );
    }
  }

  checkRange(index.capture, captures.length, 'index.capture', 'captures');
  checkRange(index.label19, CLASSES_19.length, 'index.label19', '19-class labels');
  checkRange(index.label6, CLASSES_6.length, 'index.label6', '6-class labels');
}

function checkRange(values: ArrayLike<number>, limit: number, field: string, what: string): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i] ?? -1;
    if (value < 0 || value >= limit) {
      throw new InvalidOptionError(
        field,
        `row ${i} holds ${value}, outside 0..${limit - 1} ${what}`,
      );
    }
  }
}

/**
 * The 19-class label of capture c, which must hold at least one row; every row of a capture
 * carries the same label.
 *
 * @throws InvalidOptionError (option `index.label19`) when the capture's rows mix labels.
 */
export function captureLabel(
  order: CaptureOrder,
  index: FlowRowIndex,
  c: number,
  name: string,
): number {
  const start = order.offsets[c] ?? 0;
  const end = order.offsets[c + 1] ?? 0;
  const label = index.label19[order.rows[start] ?? 0] ?? 0;

  for (let k = start; k < end; k++) {
    const other = index.label19[order.rows[k] ?? 0] ?? 0;
    if (other !== label) {
      throw new InvalidOptionError(
        'index.label19',
        `capture ${name} mixes labels ${CLASSES_19[label]} and ${CLASSES_19[other]}`,
      );
    }
  }
  return label;
}
