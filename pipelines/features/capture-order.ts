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
