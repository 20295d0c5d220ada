import { InvalidOptionError } from '../../../schemas/errors.js';
import { LAYOUTS } from '../../../schemas/layouts.js';
import type { LayoutName } from '../../../schemas/layouts.js';
import { minimumRows } from './capture-sizes.js';

/** Options of `generateDataset`. */
export interface SynthOptions {
  /** Root of the tree to write. */
  out: string;
  /** CSV layout, default '45'. */
  layout?: LayoutName;
  /** Total data rows over both splits, default 20_000. */
  rows?: number;
  /** Default 1. */
  seed?: number;
  /** Called now and then with rows written so far and the total. */
  onProgress?: (written: number, total: number) => void;
}

/** The options with every default applied and every value checked. */
export interface ResolvedSynthOptions {
  out: string;
  layout: LayoutName;
  rows: number;
  seed: number;
  onProgress: ((written: number, total: number) => void) | undefined;
}

const DEFAULT_LAYOUT: LayoutName = '45';
const DEFAULT_ROWS = 20_000;
const DEFAULT_SEED = 1;

/** Applies the defaults and validates; a bad value throws `InvalidOptionError` naming it. */
export function resolveSynthOptions(options: SynthOptions): ResolvedSynthOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'must be an object with at least `out`');
  }

  const resolved = {
    out: options.out,
    layout: options.layout ?? DEFAULT_LAYOUT,
    rows: options.rows ?? DEFAULT_ROWS,
    seed: options.seed ?? DEFAULT_SEED,
    onProgress: options.onProgress,
  };

  checkOut(resolved.out);
  checkLayout(resolved.layout);
  checkRows(resolved.rows);
  checkSeed(resolved.seed);
  checkProgress(resolved.onProgress);
  return resolved;
}

function checkOut(out: unknown): void {
  if (typeof out !== 'string' || out.trim() === '') {
    throw new InvalidOptionError('out', 'must be a non-empty directory path');
  }
}

function checkLayout(layout: unknown): void {
  if (!LAYOUTS.some((l) => l.name === layout)) {
    const known = LAYOUTS.map((l) => `'${l.name}'`).join(', ');
    throw new InvalidOptionError('layout', `unknown layout ${String(layout)}; known: ${known}`);
  }
}

function checkRows(rows: unknown): void {
  const min = minimumRows();
  if (typeof rows !== 'number' || !Number.isSafeInteger(rows) || rows < min) {
    throw new InvalidOptionError(
      'rows',
      `must be an integer of at least ${min} (a few rows for each of the 72 capture files), ` +
        `got ${String(rows)}`,
    );
  }
}

function checkSeed(seed: unknown): void {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new InvalidOptionError('seed', `must be an integer, got ${String(seed)}`);
  }
}

function checkProgress(onProgress: unknown): void {
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new InvalidOptionError('onProgress', 'must be a function when given');
  }
}
