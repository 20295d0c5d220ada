import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

import * as tf from '@tensorflow/tfjs';

import { IomtError, InvalidInputError, InvalidOptionError } from '../../schemas/errors.js';

/** The two files of a saved model: `<name>.json` and `<name>.weights.bin`. */
export interface ModelFileNames {
  /** Topology and weight manifest, in tfjs's `model.json` format. */
  json: string;
  /** All weights, concatenated in manifest order. */
  weights: string;
}

/** The file names a model saved as `name` uses. */
export function modelFileNames(name: string): ModelFileNames {
  if (name.length === 0 || basename(name) !== name || name === '.' || name === '..') {
    throw new InvalidOptionError('name', `must be a plain file name, got "${name}"`);
  }
  return { json: `${name}.json`, weights: `${name}.weights.bin` };
}

/**
 * Saves a model as `<dir>/<name>.json` and `<dir>/<name>.weights.bin`, in the layout tfjs's own
 * file loaders and tfjs-converter read, and returns the written paths (json last). Plain tfjs
 * has no `file://` handler in Node, so the artifacts are written here.
 *
 * Only the topology and the weights are saved, not the optimizer's state: a loaded model scores
 * as it is, and must be compiled again to train.
 */
export async function saveModel(
  model: tf.LayersModel,
  dir: string,
  name: string,
): Promise<string[]> {
  const files = modelFileNames(name);
  const jsonPath = join(dir, files.json);
  const weightsPath = join(dir, files.weights);

  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
      const json = modelJson(artifacts, files.weights);

      // Weights first: a reader that finds the json can trust its weights are complete.
      await mkdir(dir, { recursive: true });
      await writeFile(weightsPath, weights);
      await writeFile(jsonPath, `${JSON.stringify(json)}\n`);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return [weightsPath, jsonPath];
}

function modelJson(artifacts: tf.io.ModelArtifacts, weightsFile: string): tf.io.ModelJSON {
  const json: tf.io.ModelJSON = {
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology ?? {},
    weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs ?? [] }],
  };
  if (artifacts.trainingConfig !== undefined) json.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata !== undefined) {
    json.userDefinedMetadata = artifacts.userDefinedMetadata;
  }
  return json;
}

/**
 * Loads a model saved by {@link saveModel} (or any tfjs `model.json` whose weight files sit
 * beside it). Errors name the file that is missing or malformed.
 */
export async function loadModel(dir: string, name: string): Promise<tf.LayersModel> {
  const jsonPath = join(dir, modelFileNames(name).json);
  const json = parseModelJson(await readModelFile(jsonPath, 'utf8'), jsonPath);

  const artifacts = await tf.io.getModelArtifactsForJSON(json, (manifest) =>
    readWeights(dir, manifest),
  );
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    throw malformed(jsonPath, `tfjs could not build the model (${messageOf(error)})`, error);
  }
}

function parseModelJson(text: string, path: string): tf.io.ModelJSON {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw malformed(path, `not JSON (${messageOf(error)})`, error);
  }

  if (!isRecord(parsed) || !isRecord(parsed['modelTopology'])) {
    throw malformed(path, 'no modelTopology object');
  }
  if (!Array.isArray(parsed['weightsManifest'])) throw malformed(path, 'no weightsManifest list');
  return parsed as unknown as tf.io.ModelJSON;
}

async function readWeights(
  dir: string,
  manifest: tf.io.WeightsManifestConfig,
): Promise<[tf.io.WeightsManifestEntry[], ArrayBuffer]> {
  const specs = manifest.flatMap((group) => group.weights);
  const parts: Uint8Array[] = [];
  for (const group of manifest) {
    for (const file of group.paths) {
      // Weight paths come from the file; keep them inside the model's folder.
      if (basename(file) !== file)
        throw malformed(join(dir, file), 'weight path leaves the folder');
      parts.push(await readModelFile(join(dir, file)));
    }
  }

  const bytes = Buffer.concat(parts);
  const expected = expectedBytes(specs);
  if (expected !== undefined && bytes.length !== expected) {
    const files = manifest.flatMap((group) => group.paths).join(', ');
    throw malformed(
      join(dir, files),
      `holds ${bytes.length} bytes, the manifest needs ${expected}`,
    );
  }
  return [specs, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)];
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

// Undefined when a weight is quantized or of a type whose size is not fixed here: tfjs checks
// those itself.
function expectedBytes(specs: tf.io.WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const spec of specs) {
    const size = DTYPE_BYTES[spec.dtype];
    if (size === undefined || spec.quantization !== undefined) return undefined;
    total += spec.shape.reduce((a, b) => a * b, 1) * size;
  }
  return total;
}

async function readModelFile(path: string): Promise<Buffer>;
async function readModelFile(path: string, encoding: 'utf8'): Promise<string>;
async function readModelFile(path: string, encoding?: 'utf8'): Promise<Buffer | string> {
  try {
    return encoding === undefined ? await readFile(path) : await readFile(path, encoding);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    const message = missing ? `model file missing: ${path}` : `cannot read model file ${path}`;
    throw new IomtError({ code: 'IO', message, cause: error, context: { file: path } });
  }
}

function malformed(path: string, reason: string, cause?: unknown): InvalidInputError {
  return new InvalidInputError({
    code: 'IO',
    message: `malformed model file ${path}: ${reason}`,
    cause,
    context: { file: path },
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
