import { createHash } from 'node:crypto';

import { InvalidInputError } from '../../schemas/errors.js';
import { LAYOUTS } from '../../schemas/layouts.js';
import type { LayoutName } from '../../schemas/layouts.js';

/**
 * The persisted form of a fitted scaler, version 1. Keys appear in this order in files written
 * by the project; readers accept any key order but no unknown key.
 */
export interface ScalerJson {
  format: 'iomt-scaler';
  version: 1;
  /** The CSV layout the scaler was fitted on: '45' or '39'. */
  layout: LayoutName;
  /** Delta degrees of freedom of `stds`: always 0 (population standard deviation). */
  ddof: 0;
  /** Rows fitted. */
  count: number;
  /** Feature names in the order records must present them. */
  features: string[];
  means: number[];
  stds: number[];
  /** The features whose std is 0, in feature order: centred and not divided when scaling. */
  constant: string[];
  /** sha256 hex of the fitted values (see `fitScaler`). */
  dataChecksum: string;
  /**
   * sha256 hex of `JSON.stringify` of every other field, in the order above, as compact JSON:
   * detects a file edited by hand or damaged.
   */
  checksum: string;
}

/** The fields of a scaler JSON without its checksum, once validated. */
export interface ScalerJsonState {
  layout: LayoutName;
  features: string[];
  count: number;
  means: number[];
  stds: number[];
  dataChecksum: string;
}

const KEYS = [
  'format',
  'version',
  'layout',
  'ddof',
  'count',
  'features',
  'means',
  'stds',
  'constant',
  'dataChecksum',
  'checksum',
] as const;

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The checksum of a scaler JSON's content: sha256 hex of its fields in canonical order. */
export function scalerJsonChecksum(content: Omit<ScalerJson, 'checksum'>): string {
  const canonical = {
    format: content.format,
    version: content.version,
    layout: content.layout,
    ddof: content.ddof,
    count: content.count,
    features: content.features,
    means: content.means,
    stds: content.stds,
    constant: content.constant,
    dataChecksum: content.dataChecksum,
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/**
 * Validates a parsed scaler JSON: every field present with the right type and length, finite
 * numbers, stds >= 0, `constant` consistent with `stds`, and the checksum. Throws SCALER_INVALID
 * naming the first problem found.
 */
export function parseScalerJson(json: unknown): ScalerJsonState {
  const record = asRecord(json);
  checkKeys(record);
  checkHeader(record);

  const features = stringArray(record, 'features');
  if (features.length === 0) fail('features', 'is empty');
  const duplicate = features.find((f, i) => features.indexOf(f) !== i);
  if (duplicate !== undefined) fail('features', `lists "${duplicate}" twice`);

  const means = numberArray(record, 'means', features.length);
  const stds = numberArray(record, 'stds', features.length);
  const negative = stds.findIndex((s) => s < 0);
  if (negative >= 0) fail('stds', `[${negative}] is ${stds[negative]}, below 0`);

  const state = {
    layout: record.layout as LayoutName,
    features,
    count: positiveInteger(record, 'count'),
    means,
    stds,
    dataChecksum: sha256Field(record, 'dataChecksum'),
  };
  checkConstant(record, state);
  checkChecksum(record, state);
  return state;
}

function asRecord(json: unknown): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    fail('(root)', 'is not a JSON object');
  }
  return json as Record<string, unknown>;
}

function checkKeys(record: Record<string, unknown>): void {
  const known = new Set<string>(KEYS);
  const unknown = Object.keys(record).filter((key) => !known.has(key));
  if (unknown.length > 0) fail(unknown[0] ?? '', `is not a field of iomt-scaler version 1`);
  const missing = KEYS.find((key) => !(key in record));
  if (missing !== undefined) fail(missing, 'is missing');
}

function checkHeader(record: Record<string, unknown>): void {
  if (record.format !== 'iomt-scaler')
    fail('format', `is ${show(record.format)}, not "iomt-scaler"`);
  if (record.version !== 1) fail('version', `${show(record.version)} is not supported (only 1)`);
  if (!LAYOUTS.some((layout) => layout.name === record.layout)) {
    fail('layout', `${show(record.layout)} is not a known layout`);
  }
  if (record.ddof !== 0) fail('ddof', `is ${show(record.ddof)}; only 0 (population) is supported`);
}

function stringArray(record: Record<string, unknown>, field: string): string[] {
  const value = record[field];
  if (!Array.isArray(value)) fail(field, 'is not an array');
  const bad = value.findIndex((item) => typeof item !== 'string' || item.length === 0);
  if (bad >= 0) fail(field, `[${bad}] is ${show(value[bad])}, not a non-empty string`);
  return value as string[];
}

function numberArray(record: Record<string, unknown>, field: string, length: number): number[] {
  const value = record[field];
  if (!Array.isArray(value)) fail(field, 'is not an array');
  if (value.length !== length) fail(field, `has ${value.length} entries for ${length} features`);
  const bad = value.findIndex((item) => typeof item !== 'number' || !Number.isFinite(item));
  if (bad >= 0) fail(field, `[${bad}] is ${show(value[bad])}, not a finite number`);
  return value as number[];
}

function positiveInteger(record: Record<string, unknown>, field: string): number {
  const value = record[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    fail(field, `is ${show(value)}, not a positive integer`);
  }
  return value;
}

function sha256Field(record: Record<string, unknown>, field: string): string {
  const value = record[field];
  if (typeof value !== 'string' || !SHA256_HEX.test(value)) {
    fail(field, `is ${show(value)}, not a lower-case sha256 hex digest`);
  }
  return value;
}

function checkConstant(record: Record<string, unknown>, state: ScalerJsonState): void {
  const constant = stringArray(record, 'constant');
  const expected = state.features.filter((_, f) => state.stds[f] === 0);
  if (constant.length !== expected.length || constant.some((f, i) => f !== expected[i])) {
    fail('constant', `lists [${constant.join(', ')}] but std 0 holds for [${expected.join(', ')}]`);
  }
}

function checkChecksum(record: Record<string, unknown>, state: ScalerJsonState): void {
  const checksum = sha256Field(record, 'checksum');
  const actual = scalerJsonChecksum({
    format: 'iomt-scaler',
    version: 1,
    ddof: 0,
    constant: state.features.filter((_, f) => state.stds[f] === 0),
    ...state,
  });
  if (checksum !== actual) {
    fail('checksum', 'does not match the content: the file was edited or damaged');
  }
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function fail(field: string, problem: string): never {
  throw new InvalidInputError({
    code: 'SCALER_INVALID',
    message: `invalid scaler JSON: ${field} ${problem}`,
    context: { field },
  });
}
