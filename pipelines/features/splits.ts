import { InvalidOptionError } from '../../schemas/errors.js';
import type { FlowRowIndex } from '../../schemas/flow-batch.js';
import { CLASSES_19, CLASSES_6 } from '../../schemas/taxonomy.js';
import { captureLabel, checkRowIndex, groupByCapture } from './capture-order.js';
import type { CaptureOrder } from './capture-order.js';
import { Random, deriveSeed } from './random.js';

/**
 * How validation rows are carved out of the official train split:
 * - 'blocks': every capture is cut into contiguous blocks along `seq`, and some blocks of each
 *   capture go to validation (every class is seen on both sides; neighbouring blocks of one
 *   recording remain, so validation scores are optimistic);
 * - 'capture-disjoint': whole captures go to validation, per 19-class label (no recording is on
 *   both sides); a label with a single capture falls back to blocks.
 */
export type ValidationMode = 'blocks' | 'capture-disjoint';

/** Options of `carveValidation`. */
export interface CarveValidationOptions {
  /** Share of rows that goes to validation, in (0, 1). Default 0.2. */
  fraction?: number;
  /** Contiguous blocks a capture is cut into when split by blocks; integer >= 2. Default 5. */
  blocksPerCapture?: number;
  /** How validation rows are chosen; see `ValidationMode`. Default 'blocks'. */
  mode?: ValidationMode;
  /**
   * The fewest rows a block may hold; a capture with fewer than `blocksPerCapture * minBlockRows`
   * rows is not cut and stays in training. Pass the window length so every block can hold a
   * window. Integer >= 1. Default 1.
   */
  minBlockRows?: number;
  /** Seed of the choice of blocks and captures. Integer. Default 0. */
  seed?: number;
}

/** Row and class counts of one side of a split. */
export interface SplitCounts {
  rows: number;
  /** Rows per 6-class label, every label listed. */
  classes6: Record<string, number>;
  /** Rows per 19-class label, every label listed. */
  classes19: Record<string, number>;
}

/** What `carveValidation` did, for logs and evaluation reports. */
export interface ValidationReport {
  mode: ValidationMode;
  fraction: number;
  blocksPerCapture: number;
  minBlockRows: number;
  seed: number;
  train: SplitCounts;
  validation: SplitCounts;
  /** Contiguous segments the rows were cut into (the values of `segment` run 0 .. segments-1). */
  segments: number;
  /** 'capture-disjoint': 19-class labels with a single capture, split by blocks instead. */
  fallbackLabels: string[];
  /** Captures too small to cut into blocks, kept whole in training. */
  smallCaptures: string[];
  /** 'capture-disjoint': the captures that went whole to validation. */
  validationCaptures: string[];
}

/** The result of `carveValidation`. */
export interface ValidationSplit {
  /** Training row ids, ascending. */
  train: Uint32Array;
  /** Validation row ids, ascending. */
  validation: Uint32Array;
  /**
   * Per row, the id of the contiguous run of one capture (in `seq` order) it lies in. A segment
   * is wholly training or wholly validation, so windows of consecutive records built within one
   * segment never mix the two.
   */
  segment: Int32Array;
  report: ValidationReport;
}

type ResolvedOptions = Required<CarveValidationOptions>;

const DEFAULTS: ResolvedOptions = {
  fraction: 0.2,
  blocksPerCapture: 5,
  mode: 'blocks',
  minBlockRows: 1,
  seed: 0,
};

const TRAIN = 0;
const VALIDATION = 1;

// What the steps below fill in, row by row, and what they note for the report.
interface Assignment {
  readonly side: Uint8Array;
  readonly segment: Int32Array;
  segments: number;
  readonly smallCaptures: string[];
  readonly fallbackLabels: string[];
  readonly validationCaptures: string[];
}

/**
 * Carves a validation split out of the official train split, before any balancing, so that no
 * copy of an oversampled row can reach both sides. Rows are ordered by `seq` within each capture
 * (ties by row id); nothing assumes the file order. The choice is deterministic for a seed, and
 * each capture's (or label's) choice has its own derived seed, so adding a capture changes no
 * other capture's blocks.
 */
export function carveValidation(
  index: FlowRowIndex,
  captures: readonly string[],
  options: CarveValidationOptions = {},
): ValidationSplit {
  const resolved = resolveOptions(options);
  checkRowIndex(index, captures);
  const order = groupByCapture(index.capture, index.seq, index.rows, captures.length);
  const assignment: Assignment = {
    side: new Uint8Array(index.rows),
    segment: new Int32Array(index.rows),
    segments: 0,
    smallCaptures: [],
    fallbackLabels: [],
    validationCaptures: [],
  };

  if (resolved.mode === 'blocks') {
    captures.forEach((_, c) => splitByBlocks(assignment, order, c, captures, resolved));
  } else {
    splitByCaptures(assignment, order, index, captures, resolved);
  }

  const train = rowsOnSide(assignment.side, TRAIN);
  const validation = rowsOnSide(assignment.side, VALIDATION);
  const report: ValidationReport = {
    mode: resolved.mode,
    fraction: resolved.fraction,
    blocksPerCapture: resolved.blocksPerCapture,
    minBlockRows: resolved.minBlockRows,
    seed: resolved.seed,
    train: countsOf(index, train),
    validation: countsOf(index, validation),
    segments: assignment.segments,
    fallbackLabels: assignment.fallbackLabels,
    smallCaptures: assignment.smallCaptures,
    validationCaptures: assignment.validationCaptures,
  };
  return { train, validation, segment: assignment.segment, report };
}

function resolveOptions(options: CarveValidationOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    fraction: options.fraction ?? DEFAULTS.fraction,
    blocksPerCapture: options.blocksPerCapture ?? DEFAULTS.blocksPerCapture,
    mode: options.mode ?? DEFAULTS.mode,
    minBlockRows: options.minBlockRows ?? DEFAULTS.minBlockRows,
    seed: options.seed ?? DEFAULTS.seed,
  };

  const { fraction, blocksPerCapture, mode, minBlockRows, seed } = resolved;
  if (!(fraction > 0 && fraction < 1)) {
    throw new InvalidOptionError('fraction', `must lie strictly between 0 and 1, got ${fraction}`);
  }
  if (!Number.isInteger(blocksPerCapture) || blocksPerCapture < 2) {
    throw new InvalidOptionError(
      'blocksPerCapture',
      `must be an integer >= 2, got ${blocksPerCapture}`,
    );
  }
  if (mode !== 'blocks' && mode !== 'capture-disjoint') {
    throw new InvalidOptionError(
      'mode',
      `must be 'blocks' or 'capture-disjoint', got ${String(mode)}`,
    );
  }
  if (!Number.isInteger(minBlockRows) || minBlockRows < 1) {
    throw new InvalidOptionError('minBlockRows', `must be an integer >= 1, got ${minBlockRows}`);
  }
  if (!Number.isSafeInteger(seed)) {
    throw new InvalidOptionError('seed', `must be an integer, got ${seed}`);
  }
  return resolved;
}

// Cuts capture c (its rows in seq order) into contiguous blocks and sends a seeded choice of
// them to validation; a capture too small to cut becomes one training segment.
function splitByBlocks(
  assignment: Assignment,
  order: CaptureOrder,
  c: number,
  captures: readonly string[],
  options: ResolvedOptions,
): void {
  const start = order.offsets[c] ?? 0;
  const rows = (order.offsets[c + 1] ?? 0) - start;
  if (rows === 0) return;

  const name = captures[c] ?? String(c);
  const blocks = options.blocksPerCapture;
  if (rows < blocks * options.minBlockRows) {
    assignment.smallCaptures.push(name);
    assignRun(assignment, order, start, rows, TRAIN);
    return;
  }

  // Training keeps at least one block of every capture, whatever the fraction.
  const chosen = Math.min(blocks - 1, Math.max(1, Math.round(options.fraction * blocks)));
  const random = new Random(deriveSeed(options.seed, 'validation-blocks', name));
  const picks = random.shuffle(Array.from({ length: blocks }, (_, b) => b)).slice(0, chosen);
  const toValidation = new Set(picks);

  for (let b = 0; b < blocks; b++) {
    const from = Math.floor((b * rows) / blocks);
    const to = Math.floor(((b + 1) * rows) / blocks);
    assignRun(assignment, order, start + from, to - from, toValidation.has(b) ? VALIDATION : TRAIN);
  }
}

// Per 19-class label, whole captures go to validation; single-capture labels fall back to blocks.
function splitByCaptures(
  assignment: Assignment,
  order: CaptureOrder,
  index: FlowRowIndex,
  captures: readonly string[],
  options: ResolvedOptions,
): void {
  const byLabel = capturesByLabel(order, index, captures);

  CLASSES_19.forEach((label, l) => {
    const members = byLabel[l] ?? [];
    if (members.length === 0) return;
    if (members.length === 1) {
      assignment.fallbackLabels.push(label);
      members.forEach((c) => splitByBlocks(assignment, order, c, captures, options));
      return;
    }

    const random = new Random(deriveSeed(options.seed, 'validation-captures', label));
    const picked = new Set(pickCaptures(random.shuffle([...members]), order, options.fraction));
    for (const c of members) {
      const start = order.offsets[c] ?? 0;
      const rows = (order.offsets[c + 1] ?? 0) - start;
      if (picked.has(c)) assignment.validationCaptures.push(captures[c] ?? String(c));
      assignRun(assignment, order, start, rows, picked.has(c) ? VALIDATION : TRAIN);
    }
  });
}

// The non-empty captures of each 19-class label, in capture order; a capture must hold one label.
function capturesByLabel(
  order: CaptureOrder,
  index: FlowRowIndex,
  captures: readonly string[],
): number[][] {
  const byLabel: number[][] = CLASSES_19.map(() => []);
  captures.forEach((name, c) => {
    const start = order.offsets[c] ?? 0;
    const end = order.offsets[c + 1] ?? 0;
    if (end === start) return;

    byLabel[captureLabel(order, index, c, name)]?.push(c);
  });
  return byLabel;
}

/**
 * Walks the captures in their shuffled order and takes each one that brings the validation rows
 * closer to `fraction` of the label's rows, never all of them and never none.
 */
function pickCaptures(shuffled: number[], order: CaptureOrder, fraction: number): number[] {
  const size = (c: number): number => (order.offsets[c + 1] ?? 0) - (order.offsets[c] ?? 0);
  const total = shuffled.reduce((sum, c) => sum + size(c), 0);
  const target = fraction * total;
  const picked: number[] = [];
  let rows = 0;

  for (const c of shuffled) {
    if (picked.length === shuffled.length - 1) break;
    if (Math.abs(rows + size(c) - target) < Math.abs(rows - target)) {
      picked.push(c);
      rows += size(c);
    }
  }

  // Every capture may exceed twice the target; the one closest to it goes then.
  if (picked.length === 0) {
    const closest = shuffled.reduce((best, c) =>
      Math.abs(size(c) - target) < Math.abs(size(best) - target) ? c : best,
    );
    picked.push(closest);
  }
  return picked;
}

// Puts rows order.rows[start .. start + length) on one side, as one new segment.
function assignRun(
  assignment: Assignment,
  order: CaptureOrder,
  start: number,
  length: number,
  side: number,
): void {
  if (length === 0) return;
  const id = assignment.segments++;
  for (let k = start; k < start + length; k++) {
    const row = order.rows[k] ?? 0;
    assignment.side[row] = side;
    assignment.segment[row] = id;
  }
}

function rowsOnSide(sides: Uint8Array, side: number): Uint32Array {
  let count = 0;
  for (let i = 0; i < sides.length; i++) if (sides[i] === side) count++;
  const rows = new Uint32Array(count);
  let k = 0;
  for (let i = 0; i < sides.length; i++) if (sides[i] === side) rows[k++] = i;
  return rows;
}

function countsOf(index: FlowRowIndex, rows: Uint32Array): SplitCounts {
  const counts6 = new Array<number>(CLASSES_6.length).fill(0);
  const counts19 = new Array<number>(CLASSES_19.length).fill(0);
  for (const row of rows) {
    const l6 = index.label6[row] ?? 0;
    const l19 = index.label19[row] ?? 0;
    counts6[l6] = (counts6[l6] ?? 0) + 1;
    counts19[l19] = (counts19[l19] ?? 0) + 1;
  }

  return {
    rows: rows.length,
    classes6: Object.fromEntries(CLASSES_6.map((name, l) => [name, counts6[l] ?? 0])),
    classes19: Object.fromEntries(CLASSES_19.map((name, l) => [name, counts19[l] ?? 0])),
  };
}
