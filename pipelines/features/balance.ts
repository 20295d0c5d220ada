import { InvalidOptionError } from '../../schemas/errors.js';
import { Random, deriveSeed } from './random.js';

/** How the per-class row count is chosen: a count, or a statistic of the non-empty classes. */
export type BalanceTarget = number | 'min' | 'median' | 'mean' | 'max';

/** Options of `balanceClasses`. */
export interface BalanceOptions {
  /** Number of classes; class indices run 0 .. classes-1. Integer in 1..256. Required. */
  classes: number;
  /**
   * Rows per class after balancing: a positive integer, or 'min', 'median', 'mean' or 'max' of
   * the non-empty classes' counts ('median' and 'mean' rounded to the nearest integer).
   * Default 'median'.
   */
  target?: BalanceTarget;
  /** Seed of the draws; each class draws from its own seed derived from it. Integer. Default 0. */
  seed?: number;
}

/** The result of `balanceClasses`. */
export interface BalanceResult {
  /** Selected row ids, ascending, with repeats for oversampled classes. */
  rows: Uint32Array;
  /** Rows per non-empty class after balancing. */
  target: number;
  /** Candidate rows per class before balancing. */
  before: number[];
  /** Rows per class after balancing: `target`, or 0 for an empty class. */
  after: number[];
  /** Classes without a candidate row: they stay empty, as nothing can be oversampled from. */
  empty: number[];
}

/** One line of a balancing report. */
export interface BalanceReportRow {
  class: string;
  before: number;
  after: number;
}

type ResolvedOptions = Required<BalanceOptions>;

const DEFAULTS: Omit<ResolvedOptions, 'classes'> = { target: 'median', seed: 0 };

/**
 * Balances classes to the same row count, the paper's preprocessing: a class above the target is
 * randomly undersampled without replacement; a class below it keeps every row once and is topped
 * up with random draws with replacement. Deterministic for a seed; each class draws from its own
 * derived seed, so one class's count never changes another's sample.
 *
 * Balance the training split only, after splitting: the paper balanced before splitting, so
 * copies of one oversampled row reached both its training and its test set.
 *
 * `rows` are the candidates (row ids into `classOf`); duplicates count as separate candidates.
 * The result does not depend on their order.
 */
export function balanceClasses(
  classOf: Uint8Array,
  rows: Uint32Array,
  options: BalanceOptions,
): BalanceResult {
  const resolved = resolveOptions(options);
  const byClass = groupByClass(classOf, rows, resolved.classes);
  const before = byClass.map((members) => members.length);
  const target = resolveTarget(resolved.target, before);

  const samples = byClass.map((members, c) =>
    members.length === 0
      ? members
      : sampleClass(members, target, deriveSeed(resolved.seed, 'balance', c)),
  );
  const selected = concatenate(samples).sort();

  return {
    rows: selected,
    target,
    before,
    after: samples.map((sample) => sample.length),
    empty: before.flatMap((count, c) => (count === 0 ? [c] : [])),
  };
}

/**
 * The before/after counts as report rows, one per class. `classNames` gives the names in class
 * index order (CLASSES_6, for example) and must name every class of the result.
 */
export function balanceReport(
  result: Pick<BalanceResult, 'before' | 'after'>,
  classNames: readonly string[],
): BalanceReportRow[] {
  if (classNames.length !== result.before.length) {
    throw new InvalidOptionError(
      'classNames',
      `names ${classNames.length} classes, the result has ${result.before.length}`,
    );
  }
  return classNames.map((name, c) => ({
    class: name,
    before: result.before[c] ?? 0,
    after: result.after[c] ?? 0,
  }));
}

function resolveOptions(options: BalanceOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    classes: options.classes,
    target: options.target ?? DEFAULTS.target,
    seed: options.seed ?? DEFAULTS.seed,
  };

  const { classes, target, seed } = resolved;
  if (!Number.isInteger(classes) || classes < 1 || classes > 256) {
    throw new InvalidOptionError('classes', `must be an integer in 1..256, got ${classes}`);
  }
  const named = target === 'min' || target === 'median' || target === 'mean' || target === 'max';
  if (!named && !(Number.isSafeInteger(target) && target >= 1)) {
    throw new InvalidOptionError(
      'target',
      `must be a positive integer or 'min', 'median', 'mean', 'max'; got ${String(target)}`,
    );
  }
  if (!Number.isSafeInteger(seed)) {
    throw new InvalidOptionError('seed', `must be an integer, got ${seed}`);
  }
  return resolved;
}

// Candidate rows per class, each ascending, so the draws do not depend on the caller's order.
function groupByClass(classOf: Uint8Array, rows: Uint32Array, classes: number): Uint32Array[] {
  const sorted = Uint32Array.from(rows).sort();
  const counts = new Array<number>(classes).fill(0);
  for (const row of sorted) {
    if (row >= classOf.length) {
      throw new InvalidOptionError('rows', `row ${row} is beyond classOf (${classOf.length} rows)`);
    }
    const c = classOf[row] ?? 0;
    if (c >= classes) {
      throw new InvalidOptionError(
        'classOf',
        `row ${row} has class ${c}, beyond ${classes} classes`,
      );
    }
    counts[c] = (counts[c] ?? 0) + 1;
  }

  const byClass = counts.map((count) => new Uint32Array(count));
  const filled = new Array<number>(classes).fill(0);
  for (const row of sorted) {
    const c = classOf[row] ?? 0;
    const at = filled[c] ?? 0;
    (byClass[c] ?? new Uint32Array(0))[at] = row;
    filled[c] = at + 1;
  }
  return byClass;
}

function resolveTarget(target: BalanceTarget, before: readonly number[]): number {
  if (typeof target === 'number') return target;
  const counts = before.filter((count) => count > 0).sort((a, b) => a - b);
  if (counts.length === 0) return 0;

  switch (target) {
    case 'min':
      return counts[0] ?? 0;
    case 'max':
      return counts[counts.length - 1] ?? 0;
    case 'mean':
      return Math.round(counts.reduce((sum, count) => sum + count, 0) / counts.length);
    case 'median': {
      const middle = counts.length >> 1;
      const upper = counts[middle] ?? 0;
      if (counts.length % 2 === 1) return upper;
      return Math.round(((counts[middle - 1] ?? 0) + upper) / 2);
    }
  }
}

function sampleClass(members: Uint32Array, target: number, seed: number): Uint32Array {
  const random = new Random(seed);
  if (members.length >= target) return undersample(members, target, random);

  const sample = new Uint32Array(target);
  sample.set(members);
  for (let k = members.length; k < target; k++) {
    sample[k] = members[random.int(0, members.length - 1)] ?? 0;
  }
  return sample;
}

// A partial Fisher-Yates shuffle: the first `target` places get a uniform sample without
// replacement, in O(target) draws.
function undersample(members: Uint32Array, target: number, random: Random): Uint32Array {
  if (members.length === target) return members.slice();

  const pool = members.slice();
  for (let k = 0; k < target; k++) {
    const j = random.int(k, pool.length - 1);
    const picked = pool[j] ?? 0;
    pool[j] = pool[k] ?? 0;
    pool[k] = picked;
  }
  return pool.slice(0, target);
}

function concatenate(parts: readonly Uint32Array[]): Uint32Array {
  const out = new Uint32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
