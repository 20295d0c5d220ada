import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';

import { IomtError, InvalidInputError, InvalidOptionError } from '../../schemas/errors.js';
import type { FlowBatch, FlowBatchInfo } from '../../schemas/flow-batch.js';
import type { LayoutName } from '../../schemas/layouts.js';
import { assertSameFeatures } from './feature-match.js';
import type { FeatureSource } from './feature-match.js';
import { batchMoments, emptyMoments, mergeMoments } from './moments.js';
import type { Moments } from './moments.js';
import { parseScalerJson, scalerJsonChecksum } from './scaler-json.js';
import type { ScalerJson } from './scaler-json.js';

export type { ScalerJson } from './scaler-json.js';

/** Options of `fitScaler`. */
export interface FitScalerOptions {
  /**
   * Which rows to fit on, one entry per row of the batches concatenated in the order they come;
   * 1 (any non-zero value) includes the row, 0 leaves it out. Its length must equal the number
   * of rows read.
   * Default: every row.
   */
  rowMask?: Uint8Array;
  /** Called after each batch with the number of rows read so far, included or not. */
  onProgress?: (rowsSeen: number) => void;
}

/** The fitted statistics a `Scaler` is made of. */
export interface ScalerState {
  readonly layout: LayoutName;
  readonly features: readonly string[];
  readonly count: number;
  readonly means: readonly number[];
  readonly stds: readonly number[];
  readonly dataChecksum: string;
}

// The largest finite float32: a scaled value beyond it cannot be stored in a Float32Array.
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * A fitted standard scaler: `(x - mean) / std` per feature, with the population standard
 * deviation (ddof = 0, as scikit-learn's StandardScaler). A constant feature (std 0, such as
 * Drate) is centred and not divided, so its fitted value scales to exactly 0; it is listed in
 * `constant`.
 */
export class Scaler implements FeatureSource {
  readonly layout: LayoutName;
  readonly features: readonly string[];
  /** Rows the statistics were fitted on. */
  readonly count: number;
  readonly means: readonly number[];
  /** Population standard deviations; 0 for a constant feature. */
  readonly stds: readonly number[];
  /** Features with std 0, in feature order. */
  readonly constant: readonly string[];
  /** sha256 hex of the fitted values; see `fitScaler` for what it covers. */
  readonly dataChecksum: string;

  // What each feature is divided by: its std, or 1 for a constant feature.
  private readonly divisors: Float64Array;

  /** Builds a scaler from fitted statistics; throws SCALER_INVALID if they are inconsistent. */
  constructor(state: ScalerState) {
    const problem = stateProblem(state);
    if (problem) invalid(problem);

    this.layout = state.layout;
    this.features = Object.freeze([...state.features]);
    this.count = state.count;
    this.means = Object.freeze([...state.means]);
    this.stds = Object.freeze([...state.stds]);
    this.constant = Object.freeze(state.features.filter((_, f) => state.stds[f] === 0));
    this.dataChecksum = state.dataChecksum;
    this.divisors = Float64Array.from(state.stds, (std) => (std === 0 ? 1 : std));
  }

  /**
   * Scales every feature column of a batch into new Float32Arrays. Throws SCALER_MISMATCH if
   * `source` (the batch's layout and feature order) differs from the scaler's, and NOT_FINITE for
   * a non-finite value or one whose scaled value overflows float32.
   */
  transform(batch: FlowBatch, source: FeatureSource): Float32Array[] {
    assertSameFeatures(this, source);
    if (batch.columns.length !== this.features.length) {
      mismatch(`batch has ${batch.columns.length} columns, the scaler ${this.features.length}`);
    }

    return batch.columns.map((column, f) => {
      if (column.length < batch.rows) {
        mismatch(`column ${this.features[f]} holds ${column.length} of ${batch.rows} rows`);
      }
      return this.scaleColumn(column, batch.rows, f);
    });
  }

  /**
   * Scales one flow record given as values in the order of `features`. Throws SCALER_MISMATCH if
   * `features` (or `layout`, when given) differs from the scaler's, and NOT_FINITE as `transform`.
   */
  transformRow(
    values: ArrayLike<number>,
    features: readonly string[],
    layout?: LayoutName,
  ): Float32Array {
    // The per-record path compares names in place and builds a diagnosis only on a mismatch.
    if (layout !== undefined || !sameList(features, this.features)) {
      assertSameFeatures(this, { layout, features });
    }
    if (values.length !== this.features.length) {
      mismatch(`record has ${values.length} values, the scaler ${this.features.length} features`);
    }

    const out = new Float32Array(values.length);
    for (let f = 0; f < out.length; f++) out[f] = this.scaleValue(values[f] ?? NaN, f);
    return out;
  }

  /** The persisted form; see `ScalerJson`. */
  toJSON(): ScalerJson {
    const content = {
      format: 'iomt-scaler' as const,
      version: 1 as const,
      layout: this.layout,
      ddof: 0 as const,
      count: this.count,
      features: [...this.features],
      means: [...this.means],
      stds: [...this.stds],
      constant: [...this.constant],
      dataChecksum: this.dataChecksum,
    };
    return { ...content, checksum: scalerJsonChecksum(content) };
  }

  /** Rebuilds a scaler from `toJSON()` output; throws SCALER_INVALID naming the problem. */
  static fromJSON(json: unknown): Scaler {
    return new Scaler(parseScalerJson(json));
  }

  private scaleColumn(column: Float32Array, rows: number, f: number): Float32Array {
    const out = new Float32Array(rows);
    const mean = this.means[f] ?? 0;
    const divisor = this.divisors[f] ?? 1;
    for (let i = 0; i < rows; i++) {
      const z = ((column[i] ?? NaN) - mean) / divisor;
      // One comparison catches NaN, infinities and float32 overflow alike.
      if (!(Math.abs(z) <= FLOAT32_MAX)) this.scaleValue(column[i] ?? NaN, f, i);
      out[i] = z;
    }
    return out;
  }

  // `row` is the position in a batch; a single record has none.
  private scaleValue(value: number, f: number, row?: number): number {
    const z = (value - (this.means[f] ?? 0)) / (this.divisors[f] ?? 1);
    if (Math.abs(z) <= FLOAT32_MAX) return z;

    const column = this.features[f];
    const at = row === undefined ? '' : ` (row ${row})`;
    const why = Number.isFinite(value) ? 'scales beyond the float32 range' : 'is not finite';
    throw new InvalidInputError({
      code: 'NOT_FINITE',
      message: `value ${value} of feature ${column}${at} ${why}`,
      context: { column, row, value },
    });
  }
}

/**
 * Fits a standard scaler on the batches of one split, streaming: each batch's moments are
 * computed in float64 (corrected two-pass) and merged with Chan et al.'s parallel formula, so the
 * result matches a two-pass computation over all rows even for data with a large offset.
 *
 * `dataChecksum` is the sha256 (hex) of the fitted values and nothing else: for each included
 * row, in the order the batches deliver them, its feature values in `info.features` order as
 * float32 little-endian bytes (4 bytes per value, no separators, no header).
 *
 * Throws NOT_FINITE for a non-finite value among the included rows, FIELD_COUNT for a batch whose
 * shape disagrees with `info`, INVALID_OPTION for a `rowMask` of the wrong length, and
 * SCALER_INVALID when no row is included.
 */
export async function fitScaler(
  batches: AsyncIterable<FlowBatch>,
  info: FlowBatchInfo,
  options: FitScalerOptions = {},
): Promise<Scaler> {
  const { rowMask, onProgress } = options;
  const width = info.features.length;
  const total = emptyMoments(width);
  const hash = createHash('sha256');
  let rowsSeen = 0;

  for await (const batch of batches) {
    checkBatchShape(batch, width);
    const selected = rowMask ? selectRows(rowMask, rowsSeen, batch.rows) : null;

    const moments = batchMoments(batch.columns, batch.rows, selected);
    checkFinite(moments, batch, selected, info, rowsSeen);
    mergeMoments(total, moments);
    hash.update(rowBytes(batch, selected));

    rowsSeen += batch.rows;
    onProgress?.(rowsSeen);
  }

  if (rowMask && rowMask.length !== rowsSeen) {
    throw new InvalidOptionError('rowMask', `has ${rowMask.length} entries for ${rowsSeen} rows`);
  }
  if (total.count === 0) invalid(`no rows to fit on (${rowsSeen} rows read, none included)`);
  return new Scaler(stateOf(total, info, hash.digest('hex')));
}

/** Writes a scaler as JSON, through a temporary file so a crash never leaves half a file. */
export async function saveScaler(scaler: Scaler, path: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(scaler.toJSON(), null, 2)}\n`, 'utf8');
    await rename(temporary, path);
  } catch (cause) {
    throw ioError(`cannot write scaler ${path}`, path, cause);
  }
}

/** Reads and validates a scaler written by `saveScaler`. */
export async function loadScaler(path: string): Promise<Scaler> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw ioError(`cannot read scaler ${path}`, path, cause);
  }

  try {
    return Scaler.fromJSON(JSON.parse(text) as unknown);
  } catch (cause) {
    const inner = cause instanceof IomtError ? cause : undefined;
    throw new InvalidInputError({
      code: 'SCALER_INVALID',
      message: `${path}: ${inner ? inner.message : `not JSON (${String(cause)})`}`,
      cause,
      context: { ...inner?.context, file: path },
    });
  }
}

function checkBatchShape(batch: FlowBatch, width: number): void {
  const short = batch.columns.findIndex((column) => column.length < batch.rows);
  if (batch.columns.length === width && short < 0) return;

  throw new InvalidInputError({
    code: 'FIELD_COUNT',
    message:
      short < 0
        ? `batch has ${batch.columns.length} feature columns, info lists ${width} features`
        : `column ${short} of a batch holds fewer than its ${batch.rows} rows`,
    context: { columns: batch.columns.length, features: width },
  });
}

// The positions within the batch of the rows the mask includes.
function selectRows(rowMask: Uint8Array, offset: number, rows: number): Uint32Array {
  if (offset + rows > rowMask.length) {
    const atLeast = offset + rows;
    throw new InvalidOptionError('rowMask', `has ${rowMask.length} entries for ${atLeast}+ rows`);
  }

  let count = 0;
  for (let i = 0; i < rows; i++) if (rowMask[offset + i] !== 0) count++;
  const selected = new Uint32Array(count);
  let k = 0;
  for (let i = 0; i < rows; i++) if (rowMask[offset + i] !== 0) selected[k++] = i;
  return selected;
}

// A non-finite input shows as a non-finite mean; only then are the values searched.
function checkFinite(
  moments: Moments,
  batch: FlowBatch,
  selected: Uint32Array | null,
  info: FlowBatchInfo,
  offset: number,
): void {
  const f = moments.mean.findIndex((mean) => !Number.isFinite(mean));
  if (f < 0) return;

  const column = batch.columns[f] ?? new Float32Array(0);
  const positions = selected ?? Uint32Array.from({ length: batch.rows }, (_, i) => i);
  const at = positions.find((i) => !Number.isFinite(column[i])) ?? 0;
  const feature = info.features[f];
  throw new InvalidInputError({
    code: 'NOT_FINITE',
    message: `cannot fit the scaler: feature ${feature} is ${column[at]} at row ${offset + at}`,
    context: { column: feature, row: offset + at, value: column[at] },
  });
}

// The included rows' values, row-major, as float32 little-endian bytes: what dataChecksum covers.
function rowBytes(batch: FlowBatch, selected: Uint32Array | null): Uint8Array {
  const width = batch.columns.length;
  const count = selected ? selected.length : batch.rows;
  const values = new Float32Array(count * width);
  batch.columns.forEach((column, f) => {
    for (let k = 0; k < count; k++) {
      const row = selected ? (selected[k] ?? 0) : k;
      values[k * width + f] = column[row] ?? 0;
    }
  });

  const bytes = new Uint8Array(values.buffer);
  if (endianness() === 'BE') Buffer.from(values.buffer).swap32();
  return bytes;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function stateOf(moments: Moments, info: FlowBatchInfo, dataChecksum: string): ScalerState {
  return {
    layout: info.layout,
    features: info.features,
    count: moments.count,
    means: Array.from(moments.mean),
    // Population variance (ddof = 0), as scikit-learn's StandardScaler.
    stds: Array.from(moments.m2, (m2) => Math.sqrt(m2 / moments.count)),
    dataChecksum,
  };
}

function stateProblem(state: ScalerState): string | undefined {
  const width = state.features.length;
  if (width === 0) return 'no features';
  if (new Set(state.features).size !== width) return 'duplicated feature names';
  if (state.means.length !== width) return `${state.means.length} means for ${width} features`;
  if (state.stds.length !== width) return `${state.stds.length} stds for ${width} features`;
  if (!Number.isSafeInteger(state.count) || state.count < 1) {
    return `count ${state.count} is not a positive integer`;
  }
  const mean = state.means.findIndex((m) => !Number.isFinite(m));
  if (mean >= 0) return `mean of ${state.features[mean]} is ${state.means[mean]}`;
  const std = state.stds.findIndex((s) => !Number.isFinite(s) || s < 0);
  if (std >= 0) return `std of ${state.features[std]} is ${state.stds[std]}`;
  if (!/^[0-9a-f]{64}$/.test(state.dataChecksum)) return 'dataChecksum is not sha256 hex';
  return undefined;
}

function invalid(message: string): never {
  throw new InvalidInputError({ code: 'SCALER_INVALID', message: `invalid scaler: ${message}` });
}

function mismatch(message: string): never {
  throw new InvalidInputError({
    code: 'SCALER_MISMATCH',
    message: `records do not match the scaler: ${message}`,
  });
}

function ioError(message: string, file: string, cause: unknown): IomtError {
  return new IomtError({ code: 'IO', message, cause, context: { file } });
}
