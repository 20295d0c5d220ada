import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { pino, type Logger } from 'pino';

import { InvalidOptionError } from '../../schemas/errors.js';
import { BUNDLE_FILES, type LoadedBundle } from './bundle.js';
import type { ModelRunner } from './model-shape.js';
import { loadModel } from './model-files.js';
import { OnnxRunner, type OnnxExecutionProvider } from './onnx-runner.js';
import { Scorer } from './scorer.js';
import { TfjsRunner } from './tfjs-runner.js';

/** What runs the models: ONNX Runtime (the default for scoring) or tfjs. */
export type ScoringEngine = 'onnx' | 'tfjs';

export const SCORING_ENGINES: readonly ScoringEngine[] = ['onnx', 'tfjs'];

export interface BundleRunnerOptions {
  engine?: ScoringEngine;
  /** ONNX Runtime providers to try; default CUDA where its library is installed, then the CPU. */
  executionProviders?: readonly OnnxExecutionProvider[];
  logger?: Logger;
}

/**
 * Whether onnxruntime-node can find its CUDA provider library beside its binding. The npm
 * package ships only the CPU build (its install step fetches the CUDA provider where it can), and
 * asking for CUDA without the library makes the native side print an error before falling back.
 */
export function cudaProviderInstalled(): boolean {
  try {
    const root = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    const bin = join(root, 'bin');
    const stack = [bin];
    while (stack.length > 0) {
      const dir = stack.pop() as string;
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) stack.push(join(dir, entry.name));
        else if (entry.name.startsWith('libonnxruntime_providers_cuda')) return true;
      }
    }
    return false;
  } catch {
    return false;
  }
}

/** Starts the bundle's two models on the chosen engine. */
export async function createRunner(
  bundle: LoadedBundle,
  options: BundleRunnerOptions = {},
): Promise<ModelRunner> {
  const engine = options.engine ?? 'onnx';
  const logger = options.logger ?? pino({ level: 'silent' });
  if (engine === 'onnx') {
    return OnnxRunner.create({
      autoencoder: bundle.file(BUNDLE_FILES.autoencoderOnnx),
      lstm: bundle.file(BUNDLE_FILES.lstmOnnx),
      shape: bundle.shape,
      executionProviders:
        options.executionProviders ?? (cudaProviderInstalled() ? ['cuda', 'cpu'] : ['cpu']),
      logger,
    });
  }
  if (engine === 'tfjs') {
    const autoencoder = await loadModel(bundle.dir, 'autoencoder');
    const lstm = await loadModel(bundle.dir, 'lstm');
    return new TfjsRunner({ autoencoder, lstm, shape: bundle.shape });
  }
  throw new InvalidOptionError('engine', `must be one of ${SCORING_ENGINES.join(', ')}`);
}

/** The bundle's scorer: its models on the chosen engine, its ensemble weights and threshold. */
export async function createScorer(
  bundle: LoadedBundle,
  options: BundleRunnerOptions = {},
): Promise<Scorer> {
  const runner = await createRunner(bundle, options);
  return new Scorer({
    runner,
    shape: bundle.shape,
    weights: bundle.manifest.ensemble,
    anomaly: bundle.manifest.anomaly,
  });
}
