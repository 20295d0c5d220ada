import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { InvalidInputError } from '../../schemas/errors.js';
import type { LayoutName } from '../../schemas/layouts.js';
import { classesOf, type Granularity } from '../../schemas/taxonomy.js';
import { assertSameFeatures } from '../features/feature-match.js';
import { Scaler, type ScalerJson } from '../features/scaler.js';
import type { EpochRecord } from '../evaluation/metrics-document.js';
import type { AnomalyThreshold } from './anomaly.js';
import type { EnsembleWeights } from './ensemble.js';
import type { ModelShape } from './model-shape.js';

export const BUNDLE_FORMAT = 'iomt-model-bundle';
export const BUNDLE_VERSION = 1;
const MANIFEST = 'manifest.json';

/** The files every bundle holds, besides its manifest. */
export const BUNDLE_FILES = {
  autoencoderModel: 'autoencoder.json',
  autoencoderWeights: 'autoencoder.weights.bin',
  lstmModel: 'lstm.json',
  lstmWeights: 'lstm.weights.bin',
  autoencoderOnnx: 'autoencoder.onnx',
  lstmOnnx: 'lstm.onnx',
} as const;

/** Where the training data came from, as every figure and metric built on it says. */
export interface BundleData {
  source: 'generated' | 'csv';
  layout: LayoutName;
  deduplicated: boolean;
  excludedFeatures: string[];
  validation: 'blocks' | 'capture-disjoint';
}

/** Headline validation numbers of each model. */
export interface ModelSummary {
  accuracy: number;
  macroF1: number;
}

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  version: typeof BUNDLE_VERSION;
  createdAt: string;
  data: BundleData;
  layout: LayoutName;
  features: string[];
  granularity: Granularity;
  classes: string[];
  windowLength: number;
  scaler: ScalerJson;
  ensemble: EnsembleWeights;
  anomaly: AnomalyThreshold;
  metrics: {
    validation: { autoencoder: ModelSummary; lstm: ModelSummary; ensemble: ModelSummary };
  };
  training: Record<string, unknown>;
  /** Per model, per epoch: training and validation loss and accuracy. */
  history: Record<'autoencoder' | 'lstm', EpochRecord[]>;
  backend: string;
  /** sha256 hex of every other file of the bundle, by file name. */
  files: Record<string, string>;
}

export type BundleContent = Omit<BundleManifest, 'format' | 'version' | 'files'>;

/** A bundle read back from disk, every file checked against the manifest. */
export interface LoadedBundle {
  dir: string;
  manifest: BundleManifest;
  /** The first 16 hex digits of the manifest's sha256: names this model on scored events. */
  version: string;
  scaler: Scaler;
  shape: ModelShape;
  file(name: string): Uint8Array;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function invalid(dir: string, message: string): InvalidInputError {
  return new InvalidInputError({
    code: 'BUNDLE_INVALID',
    message: `model bundle ${dir}: ${message}`,
    context: { file: dir },
  });
}

/**
 * Writes a bundle: the files first, then the manifest with their checksums, into a temporary
 * folder renamed into place, so a reader never sees a half-written bundle.
 */
export async function writeBundle(
  dir: string,
  content: BundleContent,
  files: Readonly<Record<string, Uint8Array>>,
): Promise<BundleManifest> {
  const staging = `${dir}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });

  const checksums: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(files)) {
    await writeFile(join(staging, name), bytes);
    checksums[name] = sha256(bytes);
  }
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    ...content,
    files: checksums,
  };
  await writeFile(join(staging, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);

  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  return manifest;
}

async function readManifest(dir: string): Promise<{ manifest: BundleManifest; text: string }> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST), 'utf8');
  } catch {
    throw invalid(dir, `no ${MANIFEST}: not a model bundle`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalid(dir, `${MANIFEST} is not JSON (${(error as Error).message})`);
  }
  const manifest = json as Partial<BundleManifest>;
  if (manifest.format !== BUNDLE_FORMAT) throw invalid(dir, `${MANIFEST} is not an iomt manifest`);
  if (manifest.version !== BUNDLE_VERSION) {
    throw invalid(dir, `bundle version ${manifest.version} is not supported (${BUNDLE_VERSION})`);
  }
  return { manifest: manifest as BundleManifest, text };
}

function checkShape(dir: string, manifest: BundleManifest): ModelShape {
  const { windowLength, features, classes, granularity } = manifest;
  if (!Number.isInteger(windowLength) || windowLength < 1) {
    throw invalid(dir, `window length ${windowLength} is not a positive integer`);
  }
  if (!Array.isArray(features) || features.length === 0) throw invalid(dir, 'no feature list');
  const expected = classesOf(granularity);
  if (!Array.isArray(classes) || classes.join() !== expected.join()) {
    throw invalid(dir, `classes do not match the ${granularity}-class taxonomy`);
  }
  return { features: features.length, classes: classes.length, windowLength };
}

/**
 * Reads a bundle and verifies it: format and version, every file's sha256, the scaler, and
 * that the scaler, the manifest and (when given) the data agree on layout and feature order.
 * Anything that differs is an error saying what.
 */
export async function loadBundle(
  dir: string,
  expect?: { layout?: LayoutName; features: readonly string[] },
): Promise<LoadedBundle> {
  const { manifest, text } = await readManifest(dir);
  const contents = new Map<string, Uint8Array>();
  for (const name of Object.values(BUNDLE_FILES)) {
    const expected = manifest.files?.[name];
    if (!expected) throw invalid(dir, `the manifest lists no checksum for ${name}`);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(join(dir, name));
    } catch {
      throw invalid(dir, `${name} is missing`);
    }
    if (sha256(bytes) !== expected) {
      throw invalid(dir, `${name} does not match its sha256 in the manifest (changed or damaged)`);
    }
    contents.set(name, bytes);
  }

  const shape = checkShape(dir, manifest);
  const scaler = Scaler.fromJSON(manifest.scaler);
  const owner = { code: 'BUNDLE_MISMATCH', name: 'model bundle' } as const;
  assertSameFeatures({ layout: manifest.layout, features: manifest.features }, scaler, owner);
  if (expect)
    assertSameFeatures({ layout: manifest.layout, features: manifest.features }, expect, owner);

  return {
    dir,
    manifest,
    version: createHash('sha256').update(text).digest('hex').slice(0, 16),
    scaler,
    shape,
    file: (name) => {
      const bytes = contents.get(name);
      if (!bytes) throw invalid(dir, `no file ${name}`);
      return bytes;
    },
  };
}
