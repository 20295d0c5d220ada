import { InvalidOptionError } from '../../schemas/errors.js';
import type { FlowRowIndex } from '../../schemas/flow-batch.js';
import { CLASSES_19, CLASSES_6 } from '../../schemas/taxonomy.js';
import { captureLabel, checkRowIndex, groupByCapture } from './capture-order.js';
import type { CaptureOrder } from './capture-order.js';
import { Random, deriveSeed } from './random.js';
import type { SplitCounts } from './splits.js';

/** Options of `assignFolds`. */
export interface AssignFoldsOptions {
  /** Folds of the cross-validation; integer in 2..255. Default 5. */
  folds?: number;
  /**
   * Contiguous blocks each capture is cut into, along `seq`; integer >= 1. A capture with fewer
   * rows is cut into one block per row. Default 10.
   */
  blocksPerCapture?: number;
  /** Seed of the shuffle of each label's blocks. Integer. Default 0. */
  seed?: number;
}

/** What `assignFolds` did, for logs and evaluation reports. */
export interface FoldReport {
  folds: number;
  blocksPerCapture: number;
  seed: number;
  /** Blocks made (the values of `segment` run 0 .. segments-1). */
  segments: number;
  /** Per fold: its rows, by 6-class and by 19-class label (every label listed). */
  perFold: SplitCounts[];
}

/** The result of `assignFolds`. */
export interface FoldAssignment {
  /** Per row, its fold, 0 .. folds-1. */
  fold: Uint8Array;
  /**
   * Per row, the id of the block it lies in: a contiguous run of one capture in `seq` order,
   * wholly in one fold. Build windows within a segment and none straddles two folds.
   */
  segment: Int32Array;
  report: FoldReport;
}

type ResolvedOptions = Required<AssignFoldsOptions>;

/** A contiguous run `order.rows[start .. start + rows)` of one capture. */
interface Block {
  readonly segment: number;
  readonly start: number;
  readonly rows: number;
}

/**
 * Stratified k-fold assignment of capture blocks. Every capture (rows ordered by `seq`, ties by
 * row id) is cut into `blocksPerCapture` contiguous blocks, and each block goes wholly to one
 * fold. Per 19-class label, the label's blocks are shuffled with a seed derived from the label,
 * then each goes to the fold holding the fewest rows of that label so far (ties: fewest rows in
 * all, then the lower fold), so every fold gets a near-equal share of every label: the spread
 * within a label is at most one block. Neighbouring blocks of one recording can land in
 * different folds, so fold scores are optimistic in the way validation blocks are.
 */
export function assignFolds(
  index: FlowRowIndex,
  captures: readonly string[],
  options: AssignFoldsOptions = {},
): FoldAssignment {
  const resolved = resolveOptions(options);
  checkRowIndex(index, captures);
  const order = groupByCapture(index.capture, index.seq, index.rows, captures.length);

  const byLabel = blocksByLabel(order, index, captures, resolved.blocksPerCapture);
  const segment = new Int32Array(index.rows);
  const fold = new Uint8Array(index.rows);
  const foldRows = new Array<number>(resolved.folds).fill(0);
  let segments = 0;

  byLabel.forEach((blocks, label) => {
    segments += blocks.length;
    const random = new Random(deriveSeed(resolved.seed, 'folds', CLASSES_19[label] ?? label));
    const labelRows = new Array<number>(resolved.folds).fill(0);
    for (const block of random.shuffle([...blocks])) {
      const f = leastFilledFold(labelRows, foldRows);
      labelRows[f] = (labelRows[f] ?? 0) + block.rows;
      foldRows[f] = (foldRows[f] ?? 0) + block.rows;
      markBlock(order, block, f, fold, segment);
    }
  });

  const report: FoldReport = {
    folds: resolved.folds,
    blocksPerCapture: resolved.blocksPerCapture,
    seed: resolved.seed,
    segments,
    perFold: countsPerFold(index, fold, resolved.folds),
  };
  return { fold, segment, report };
}

function resolveOptions(options: AssignFoldsOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    folds: options.folds ?? 5,
    blocksPerCapture: options.blocksPerCapture ?? 10,
    seed: options.seed ?? 0,
  };

  const { folds, blocksPerCapture, seed } = resolved;
  if (!Number.isInteger(folds) || folds < 2 || folds > 255) {
    throw new InvalidOptionError('folds', `must be an integer in 2..255, got ${folds}`);
  }
  if (!Number.isInteger(blocksPerCapture) || blocksPerCapture < 1) {
    throw new InvalidOptionError(
      'blocksPerCapture',
      `must be an integer >= 1, got ${blocksPerCapture}`,
    );
  }
  if (!Number.isSafeInteger(seed)) {
    throw new InvalidOptionError('seed', `must be an integer, got ${seed}`);
  }
  return resolved;
}

// Cuts every capture into blocks, in capture order (so segment ids do not depend on the seed),
// and files them under the capture's 19-class label; a capture must hold one label.
function blocksByLabel(
  order: CaptureOrder,
  index: FlowRowIndex,
  captures: readonly string[],
  blocksPerCapture: number,
): Block[][] {
  const byLabel: Block[][] = CLASSES_19.map(() => []);
  let segment = 0;

  captures.forEach((name, c) => {
    const start = order.offsets[c] ?? 0;
    const rows = (order.offsets[c + 1] ?? 0) - start;
    if (rows === 0) return;

    const label = captureLabel(order, index, c, name);
    const blocks = Math.min(blocksPerCapture, rows);
    for (let b = 0; b < blocks; b++) {
      const from = Math.floor((b * rows) / blocks);
      const to = Math.floor(((b + 1) * rows) / blocks);
      byLabel[label]?.push({ segment: segment++, start: start + from, rows: to - from });
    }
  });
  return byLabel;
}

// The fold with the fewest rows of the label; ties go to the fold with the fewest rows in all,
// so labels with fewer blocks than folds do not all pile onto fold 0.
function leastFilledFold(labelRows: readonly number[], foldRows: readonly number[]): number {
  let best = 0;
  for (let f = 1; f < labelRows.length; f++) {
    const byLabel = (labelRows[f] ?? 0) - (labelRows[best] ?? 0);
    const byTotal = (foldRows[f] ?? 0) - (foldRows[best] ?? 0);
    if (byLabel < 0 || (byLabel === 0 && byTotal < 0)) best = f;
  }
  return best;
}

function markBlock(
  order: CaptureOrder,
  block: Block,
  f: number,
  fold: Uint8Array,
  segment: Int32Array,
): void {
  for (let k = block.start; k < block.start + block.rows; k++) {
    const row = order.rows[k] ?? 0;
    fold[row] = f;
    segment[row] = block.segment;
  }
}

function countsPerFold(index: FlowRowIndex, fold: Uint8Array, folds: number): SplitCounts[] {
  const counts6 = Array.from({ length: folds }, () => new Array<number>(CLASSES_6.length).fill(0));
  const counts19 = Array.from({ length: folds }, () =>
    new Array<number>(CLASSES_19.length).fill(0),
  );
  for (let row = 0; row < index.rows; row++) {
    const six = counts6[fold[row] ?? 0] ?? [];
    const nineteen = counts19[fold[row] ?? 0] ?? [];
    const l6 = index.label6[row] ?? 0;
    const l19 = index.label19[row] ?? 0;
    six[l6] = (six[l6] ?? 0) + 1;
    nineteen[l19] = (nineteen[l19] ?? 0) + 1;
  }

  return counts6.map((six, f) => ({
    rows: six.reduce((sum, n) => sum + n, 0),
    classes6: Object.fromEntries(CLASSES_6.map((name, l) => [name, six[l] ?? 0])),
    classes19: Object.fromEntries(CLASSES_19.map((name, l) => [name, counts19[f]?.[l] ?? 0])),
  }));
}
