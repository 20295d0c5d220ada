/**
 * Streaming first and second moments per feature, in float64: the statistics a standard scaler
 * needs, computed batch by batch without ever holding the whole data set.
 */
export interface Moments {
  /** Rows summarised. */
  count: number;
  /** Mean per feature. */
  readonly mean: Float64Array;
  /** Sum of squared deviations from the mean per feature (M2); variance is `m2 / count`. */
  readonly m2: Float64Array;
}

/** The moments of no rows at all: the identity of `mergeMoments`. */
export function emptyMoments(width: number): Moments {
  return { count: 0, mean: new Float64Array(width), m2: new Float64Array(width) };
}

/**
 * The moments of some rows of one batch. `selected` lists the row positions to include; null
 * includes rows `0 .. rows - 1`. A non-finite input makes that feature's mean NaN or infinite,
 * which callers check for once per batch instead of once per value.
 */
export function batchMoments(
  columns: readonly Float32Array[],
  rows: number,
  selected: Uint32Array | null,
): Moments {
  const count = selected ? selected.length : rows;
  const moments = emptyMoments(columns.length);
  moments.count = count;
  if (count === 0) return moments;

  columns.forEach((column, f) => {
    const [mean, m2] = selected ? selectedPass(column, selected) : fullPass(column, rows);
    moments.mean[f] = mean;
    moments.m2[f] = m2;
  });
  return moments;
}

/**
 * Merges `from` into `into` with the pairwise update of Chan, Golub and LeVeque (1979), which
 * stays accurate when the two parts differ greatly in size or in mean.
 */
export function mergeMoments(into: Moments, from: Moments): void {
  if (from.count === 0) return;
  if (into.count === 0) {
    into.count = from.count;
    into.mean.set(from.mean);
    into.m2.set(from.m2);
    return;
  }

  const total = into.count + from.count;
  const weight = from.count / total;
  const cross = (into.count * from.count) / total;
  for (let f = 0; f < into.mean.length; f++) {
    const delta = (from.mean[f] ?? 0) - (into.mean[f] ?? 0);
    into.mean[f] = (into.mean[f] ?? 0) + delta * weight;
    into.m2[f] = (into.m2[f] ?? 0) + (from.m2[f] ?? 0) + delta * delta * cross;
  }
  into.count = total;
}

// Both passes below use the corrected two-pass algorithm (Chan, Golub and LeVeque 1983): a first
// pass for a provisional mean, a second for the deviations from it. The second pass's sum of
// deviations corrects the rounding error of the provisional mean, and summing squared deviations
// instead of squares avoids the cancellation of E[x^2] - E[x]^2 on data with a large offset.

function fullPass(column: Float32Array, rows: number): [number, number] {
  let sum = 0;
  for (let i = 0; i < rows; i++) sum += column[i] ?? 0;
  const provisional = sum / rows;

  let deviations = 0;
  let squares = 0;
  for (let i = 0; i < rows; i++) {
    const d = (column[i] ?? 0) - provisional;
    deviations += d;
    squares += d * d;
  }
  return finish(provisional, deviations, squares, rows);
}

function selectedPass(column: Float32Array, selected: Uint32Array): [number, number] {
  const count = selected.length;
  let sum = 0;
  for (let k = 0; k < count; k++) sum += column[selected[k] ?? 0] ?? 0;
  const provisional = sum / count;

  let deviations = 0;
  let squares = 0;
  for (let k = 0; k < count; k++) {
    const d = (column[selected[k] ?? 0] ?? 0) - provisional;
    deviations += d;
    squares += d * d;
  }
  return finish(provisional, deviations, squares, count);
}

function finish(
  provisional: number,
  deviations: number,
  squares: number,
  count: number,
): [number, number] {
  // Rounding can leave a hair below zero when every value is (nearly) equal.
  const m2 = Math.max(0, squares - (deviations * deviations) / count);
  return [provisional + deviations / count, m2];
}
