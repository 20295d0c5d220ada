import { InvalidOptionError } from '../../schemas/errors.js';
import { checkClassIndices } from './metrics.js';

/**
 * An ROC curve as parallel arrays, from (0, 0) to (1, 1). Point i is what predicting
 * "positive when score >= thresholds[i]" gives; `thresholds[0]` is +Infinity (nothing predicted
 * positive) and thresholds decrease along the curve.
 */
export interface RocCurve {
  fpr: number[];
  tpr: number[];
  thresholds: number[];
}

/** An exact ROC curve and its area, for one score vector against binary truth. */
export interface Roc {
  /** Area under the full curve by the trapezoid rule. */
  auc: number;
  curve: RocCurve;
  positives: number;
  negatives: number;
}

/** The one-vs-rest ROC of one class: its AUC and curve, or why there is none. */
export type ClassRoc =
  | { name: string; positives: number; negatives: number; auc: number; curve: RocCurve }
  | { name: string; positives: number; negatives: number; auc: null; curve: null; reason: string };

/** What `oneVsRest` returns. */
export interface OneVsRestRoc {
  classes: ClassRoc[];
  /** Unweighted mean AUC over the classes that have one; null when none has. */
  macroAuc: number | null;
}

/**
 * The exact ROC curve of `scores` against `truth` (1 positive, 0 negative): one point per
 * distinct score, so a group of tied scores is one step and the curve runs diagonally through
 * it. The trapezoid area over these points equals the Mann-Whitney probability that a positive
 * outscores a negative, ties counted 1/2. Needs at least one positive and one negative.
 */
export function rocCurve(scores: ArrayLike<number>, truth: ArrayLike<number>): Roc {
  checkScores(scores, truth);
  const positives = countPositives(truth);
  const negatives = truth.length - positives;
  if (positives === 0 || negatives === 0) {
    throw new InvalidOptionError('truth', 'needs at least one positive and one negative row');
  }

  // The positives' and the negatives' scores, each sorted ascending by the native numeric sort
  // (no comparator: several times faster on millions of rows), are merged from the top down.
  const { pos, neg } = splitScores(scores, truth, positives);
  const curve: RocCurve = { fpr: [0], tpr: [0], thresholds: [Number.POSITIVE_INFINITY] };
  // Sums over steps of dFP * (TP before + TP after) are integers, so the area is exact up to
  // the final division (for up to ~10^7 rows: the sum stays below 2^53).
  let area = 0;
  let i = pos.length - 1;
  let j = neg.length - 1;

  while (i >= 0 || j >= 0) {
    const threshold = Math.max(
      i >= 0 ? (pos[i] ?? 0) : -Infinity,
      j >= 0 ? (neg[j] ?? 0) : -Infinity,
    );
    const tpBefore = positives - 1 - i;
    const fpBefore = negatives - 1 - j;
    while (i >= 0 && pos[i] === threshold) i--;
    while (j >= 0 && neg[j] === threshold) j--;

    const tp = positives - 1 - i;
    const fp = negatives - 1 - j;
    area += (fp - fpBefore) * (tp + tpBefore);
    curve.fpr.push(fp / negatives);
    curve.tpr.push(tp / positives);
    curve.thresholds.push(threshold);
  }

  return { auc: area / (2 * positives * negatives), curve, positives, negatives };
}

function checkScores(scores: ArrayLike<number>, truth: ArrayLike<number>): void {
  if (scores.length !== truth.length) {
    throw new InvalidOptionError('truth', `has ${truth.length} values for ${scores.length} scores`);
  }

  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i])) throw new InvalidOptionError('scores', `row ${i} is NaN`);
    const value = truth[i];
    if (value !== 0 && value !== 1) {
      throw new InvalidOptionError('truth', `row ${i} holds ${value}, not 0 or 1`);
    }
  }
}

function countPositives(truth: ArrayLike<number>): number {
  let positives = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === 1) positives++;
  return positives;
}

function splitScores(
  scores: ArrayLike<number>,
  truth: ArrayLike<number>,
  positives: number,
): { pos: Float64Array; neg: Float64Array } {
  const pos = new Float64Array(positives);
  const neg = new Float64Array(truth.length - positives);
  let p = 0;
  let n = 0;
  for (let r = 0; r < truth.length; r++) {
    if (truth[r] === 1) pos[p++] = scores[r] ?? 0;
    else neg[n++] = scores[r] ?? 0;
  }
  return { pos: pos.sort(), neg: neg.sort() };
}

/**
 * One-vs-rest ROC per class: class c's scores are column c of `probabilities` (row-major,
 * rows x classes) and its positives the rows whose true class is c. A class without positives
 * or without negatives has no AUC; it gets null and the reason.
 */
export function oneVsRest(
  probabilities: Float32Array,
  yTrue: ArrayLike<number>,
  classes: readonly string[],
): OneVsRestRoc {
  const k = classes.length;
  if (k < 2) throw new InvalidOptionError('classes', `needs at least 2 classes, got ${k}`);
  if (probabilities.length !== yTrue.length * k) {
    throw new InvalidOptionError(
      'probabilities',
      `has ${probabilities.length} values for ${yTrue.length} rows x ${k} classes`,
    );
  }
  checkClassIndices(yTrue, k, 'yTrue');

  const perClass = classes.map((name, c) => classRoc(probabilities, yTrue, k, c, name));
  const aucs = perClass.flatMap((roc) => (roc.auc === null ? [] : [roc.auc]));
  const macroAuc = aucs.length > 0 ? aucs.reduce((sum, a) => sum + a, 0) / aucs.length : null;
  return { classes: perClass, macroAuc };
}

function classRoc(
  probabilities: Float32Array,
  yTrue: ArrayLike<number>,
  k: number,
  c: number,
  name: string,
): ClassRoc {
  const rows = yTrue.length;
  const scores = new Float32Array(rows);
  const truth = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    scores[r] = probabilities[r * k + c] ?? 0;
    truth[r] = yTrue[r] === c ? 1 : 0;
  }

  const positives = countPositives(truth);
  const negatives = rows - positives;
  if (positives === 0 || negatives === 0) {
    const reason = positives === 0 ? 'no row of this class' : 'no row of any other class';
    return { name, positives, negatives, auc: null, curve: null, reason };
  }

  const { auc, curve } = rocCurve(scores, truth);
  return { name, positives, negatives, auc, curve };
}

/**
 * A copy of `curve` with at most `maxPoints` points (>= 2), for plotting. Points on a straight
 * run (the flat and vertical runs of a staircase) go first, which changes nothing; on a very
 * long curve, so do points closer than 1/20 of a plot step to the last one kept; then the point
 * whose removal changes the area least, repeatedly (Visvalingam-Whyatt), so the drawn shape
 * stays close. The end points are always kept. Take the AUC from the full curve: the trapezoid
 * area of a thinned curve is only close to it.
 */
export function thinCurve(curve: RocCurve, maxPoints: number): RocCurve {
  if (!Number.isInteger(maxPoints) || maxPoints < 2) {
    throw new InvalidOptionError('maxPoints', `must be an integer >= 2, got ${maxPoints}`);
  }

  let kept = dropCollinear(curve);
  if (kept.length > PREPASS_FACTOR * maxPoints) kept = dropClose(curve, kept, maxPoints);
  const chosen = kept.length > maxPoints ? visvalingam(curve, kept, maxPoints) : kept;
  return {
    fpr: chosen.map((i) => curve.fpr[i] ?? 0),
    tpr: chosen.map((i) => curve.tpr[i] ?? 0),
    thresholds: chosen.map((i) => curve.thresholds[i] ?? 0),
  };
}

// Past this many points per point wanted, a linear pass thins the curve before the heap does.
const PREPASS_FACTOR = 20;

// Keeps a point only once the curve has moved 1 / (PREPASS_FACTOR * maxPoints) from the last
// kept one (in fpr or tpr): a detail that small cannot show in a plot of maxPoints points, and
// the curve, whose length is at most 2, keeps at most about 2 * PREPASS_FACTOR * maxPoints.
function dropClose(curve: RocCurve, points: readonly number[], maxPoints: number): number[] {
  const step = 1 / (PREPASS_FACTOR * maxPoints);
  const last = points[points.length - 1] ?? 0;
  const kept = [points[0] ?? 0];
  for (const i of points) {
    const from = kept[kept.length - 1] ?? 0;
    const moved = Math.max(
      (curve.fpr[i] ?? 0) - (curve.fpr[from] ?? 0),
      (curve.tpr[i] ?? 0) - (curve.tpr[from] ?? 0),
    );
    if (i !== from && i !== last && moved >= step) kept.push(i);
  }
  kept.push(last);
  return kept;
}

// Indices of the points that are not in the middle of a straight run.
function dropCollinear(curve: RocCurve): number[] {
  const n = curve.fpr.length;
  if (n <= 2) return Array.from({ length: n }, (_, i) => i);

  const kept = [0];
  for (let i = 1; i < n - 1; i++) {
    const last = kept[kept.length - 1] ?? 0;
    if (triangleArea(curve, last, i, i + 1) > 0) kept.push(i);
  }
  kept.push(n - 1);
  return kept;
}

function triangleArea(curve: RocCurve, a: number, b: number, c: number): number {
  const ax = curve.fpr[a] ?? 0;
  const ay = curve.tpr[a] ?? 0;
  const cross =
    ((curve.fpr[b] ?? 0) - ax) * ((curve.tpr[c] ?? 0) - ay) -
    ((curve.fpr[c] ?? 0) - ax) * ((curve.tpr[b] ?? 0) - ay);
  return Math.abs(cross) / 2;
}

// Removes the interior point of least effective area until `maxPoints` remain. A min-heap with
// lazy deletion: an entry whose point is gone or whose area changed since is skipped.
function visvalingam(curve: RocCurve, points: number[], maxPoints: number): number[] {
  const n = points.length;
  const prev = Int32Array.from({ length: n }, (_, i) => i - 1);
  const next = Int32Array.from({ length: n }, (_, i) => i + 1);
  const area = new Float64Array(n);
  const removed = new Uint8Array(n);
  const heap = new AreaHeap();
  const areaAt = (i: number): number =>
    triangleArea(curve, points[prev[i] ?? 0] ?? 0, points[i] ?? 0, points[next[i] ?? 0] ?? 0);

  for (let i = 1; i < n - 1; i++) {
    area[i] = areaAt(i);
    heap.push(area[i] ?? 0, i);
  }

  for (let left = n; left > maxPoints;) {
    const top = heap.pop();
    if (!top) break;
    if (removed[top.index] || top.area !== area[top.index]) continue;

    const i = top.index;
    removed[i] = 1;
    left--;
    const p = prev[i] ?? 0;
    const q = next[i] ?? 0;
    next[p] = q;
    prev[q] = p;
    for (const j of [p, q]) {
      if (j === 0 || j === n - 1) continue;
      area[j] = areaAt(j);
      heap.push(area[j] ?? 0, j);
    }
  }
  return points.filter((_, i) => !removed[i]);
}

// A binary min-heap of (area, index), ties by index so the result is deterministic.
class AreaHeap {
  private readonly items: { area: number; index: number }[] = [];

  push(area: number, index: number): void {
    const items = this.items;
    items.push({ area, index });
    for (let k = items.length - 1; k > 0;) {
      const parent = (k - 1) >> 1;
      if (!this.less(k, parent)) break;
      this.swap(k, parent);
      k = parent;
    }
  }

  pop(): { area: number; index: number } | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || !last) return top;

    items[0] = last;
    for (let k = 0; ;) {
      const l = 2 * k + 1;
      const r = l + 1;
      let smallest = k;
      if (l < items.length && this.less(l, smallest)) smallest = l;
      if (r < items.length && this.less(r, smallest)) smallest = r;
      if (smallest === k) break;
      this.swap(k, smallest);
      k = smallest;
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    const x = this.items[a];
    const y = this.items[b];
    if (!x || !y) return false;
    return x.area < y.area || (x.area === y.area && x.index < y.index);
  }

  private swap(a: number, b: number): void {
    const items = this.items;
    const tmp = items[a];
    items[a] = items[b] as { area: number; index: number };
    items[b] = tmp as { area: number; index: number };
  }
}
