import { createRequire } from 'node:module';
import { dirname } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { pino, type Logger } from 'pino';

import { InvalidOptionError } from '../../schemas/errors.js';

export { tf };

/**
 * The tfjs backends the product knows, fastest first: TensorFlow's C library with CUDA
 * (`@tensorflow/tfjs-node-gpu`), TensorFlow's C library on the CPU (`@tensorflow/tfjs-node`),
 * WebAssembly with SIMD (`@tensorflow/tfjs-backend-wasm`), and plain JavaScript.
 */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** The order tried when no backend is requested. */
export const BACKEND_ORDER: readonly BackendName[] = [
  'tensorflow-gpu',
  'tensorflow',
  'wasm',
  'cpu',
];

export interface BackendOptions {
  /** A backend that must be used; one that cannot load is an error. Default: the first that loads. */
  requested?: BackendName;
  /** Receives the one line that says which backend runs and why. Default: silent. */
  logger?: Logger;
}

/** The backend now active in tfjs, and why it was chosen. */
export interface BackendSelection {
  name: BackendName;
  reason: string;
}

type Probe = { ok: true } | { ok: false; reason: string };

interface BackendSpec {
  /** What the backend is called in reasons and logs. */
  label: string;
  /** The npm package that provides it, when it is an optional one. */
  optionalPackage?: string;
  /** Its name in tfjs's registry. */
  engineName: string;
  load: () => Promise<Probe>;
}

const SPECS: Record<BackendName, BackendSpec> = {
  'tensorflow-gpu': nodeBindingSpec('tfjs-node-gpu', '@tensorflow/tfjs-node-gpu'),
  tensorflow: nodeBindingSpec('tfjs-node', '@tensorflow/tfjs-node'),
  wasm: { label: 'wasm', engineName: 'wasm', load: loadWasm },
  cpu: { label: 'cpu', engineName: 'cpu', load: loadCpu },
};

// Both tfjs-node packages register their backend as `tensorflow`.
function nodeBindingSpec(label: string, packageName: string): BackendSpec {
  return {
    label,
    optionalPackage: packageName,
    engineName: 'tensorflow',
    load: () => loadNodeBinding(packageName, label),
  };
}

// One probe per backend for the life of the process: loading a native binding or compiling the
// WebAssembly module is slow, and tfjs cannot unload either, so a second call only switches.
const probes = new Map<BackendName, Promise<Probe>>();

/**
 * Makes one tfjs backend active and says which and why, in exactly one info log line. Without a
 * request, tries {@link BACKEND_ORDER} and keeps each failure's reason
 * (`tfjs-node-gpu not installed; tfjs-node not installed; using wasm`). The tfjs-node packages
 * are optional: they are looked for at run time and never imported statically.
 *
 * Calling it again is cheap: every backend is probed once per process.
 *
 * @throws InvalidOptionError (option `backend`) when the requested backend cannot load.
 */
export async function selectBackend(options: BackendOptions = {}): Promise<BackendSelection> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const selection =
    options.requested === undefined
      ? await firstAvailable()
      : await requestedBackend(options.requested);

  logger.info({ backend: selection.name, reason: selection.reason }, 'tfjs backend selected');
  return selection;
}

async function firstAvailable(): Promise<BackendSelection> {
  const skipped: string[] = [];
  for (const name of BACKEND_ORDER) {
    const probe = await probeBackend(name);
    if (!probe.ok) {
      skipped.push(probe.reason);
      continue;
    }
    await activate(name);
    return { name, reason: [...skipped, `using ${SPECS[name].label}`].join('; ') };
  }

  // The cpu backend ships inside @tensorflow/tfjs, so this means tfjs itself is broken.
  throw new InvalidOptionError('backend', `no tfjs backend could load: ${skipped.join('; ')}`);
}

async function requestedBackend(name: BackendName): Promise<BackendSelection> {
  if (!Object.hasOwn(SPECS, name)) {
    throw new InvalidOptionError(
      'backend',
      `unknown backend "${String(name)}"; expected one of ${BACKEND_ORDER.join(', ')}`,
    );
  }

  const probe = await probeBackend(name);
  if (!probe.ok) {
    const { optionalPackage } = SPECS[name];
    const hint = optionalPackage === undefined ? '' : ` (optional package ${optionalPackage})`;
    throw new InvalidOptionError(
      'backend',
      `${name} was requested but cannot be used: ${probe.reason}${hint}`,
    );
  }

  await activate(name);
  return { name, reason: `${SPECS[name].label} requested` };
}

function probeBackend(name: BackendName): Promise<Probe> {
  let probe = probes.get(name);
  if (probe === undefined) {
    probe = SPECS[name].load();
    probes.set(name, probe);
  }
  return probe;
}

async function activate(name: BackendName): Promise<void> {
  const engineName = SPECS[name].engineName;
  if (tf.getBackend() !== engineName) await tf.setBackend(engineName);
  await tf.ready();
}

async function loadNodeBinding(packageName: string, label: string): Promise<Probe> {
  // Importing through a variable keeps TypeScript and bundlers from resolving the package at
  // build time: it is optional, and installing it downloads libtensorflow.
  const specifier: string = packageName;
  try {
    await import(specifier);
  } catch (error) {
    if (isMissingPackage(error, packageName))
      return { ok: false, reason: `${label} not installed` };
    return { ok: false, reason: `${label} failed to load (${messageOf(error)})` };
  }

  // A tfjs-node built against another copy of @tensorflow/tfjs registers its backend there.
  if (tf.findBackendFactory('tensorflow') === null) {
    return { ok: false, reason: `${label} loaded but registered no backend with this tfjs` };
  }
  return initialize('tensorflow', label);
}

async function loadWasm(): Promise<Probe> {
  // In Node the wasm backend cannot find its .wasm binaries by itself; they sit beside the
  // package's main file. setWasmPaths throws once the backend is initialized, so only set it
  // before that (another module may have initialized it already).
  if (!('wasm' in tf.engine().registry)) {
    const main = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    setWasmPaths(`${dirname(main)}/`);
  }
  return initialize('wasm', 'wasm');
}

function loadCpu(): Promise<Probe> {
  return initialize('cpu', 'cpu');
}

async function initialize(engineName: string, label: string): Promise<Probe> {
  try {
    const ok = await tf.setBackend(engineName);
    if (!ok) return { ok: false, reason: `${label} failed to initialize` };
    await tf.ready();
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `${label} failed to initialize (${messageOf(error)})` };
  }
}

function isMissingPackage(error: unknown, packageName: string): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;

  // The package itself is missing, not one of its own dependencies.
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    error.message.includes(`'${packageName}'`)
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
