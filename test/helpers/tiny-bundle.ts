import { join } from 'node:path';

import { ingestDataset } from '../../pipelines/arrow/ingest.js';
import { generateDataset } from '../../pipelines/dataset/synth/index.js';
import { selectBackend } from '../../pipelines/models/backend.js';
import { trainModels } from '../../pipelines/training/train.js';
import { tempDir } from './paths.js';

export interface TinyBundleOptions {
  /** Names the temporary folder (iomt-<prefix>-…). */
  readonly prefix: string;
  /** Rows of the synthetic dataset; 2000 unless given. */
  readonly rows?: number;
  /** Seed of the synthetic dataset; 8 unless given. */
  readonly seed?: number;
}

export interface TinyBundle {
  /** The temporary folder holding everything below; free for the test's own outputs. */
  readonly dir: string;
  /** The ingested Arrow data (dir/arrow). */
  readonly data: string;
  /** The trained bundle (dir/bundle). */
  readonly bundle: string;
  /** Removes dir. */
  readonly cleanup: () => Promise<void>;
}

/**
 * A synthetic 45-class dataset, ingested without IAT, and a bundle trained on it in seconds
 * (one epoch, tiny models), on the wasm backend, in a fresh temporary folder. The folder is
 * removed again when a step fails.
 */
export async function tinyBundle(options: TinyBundleOptions): Promise<TinyBundle> {
  const { dir, cleanup } = await tempDir(options.prefix);
  const data = join(dir, 'arrow');
  const bundle = join(dir, 'bundle');
  try {
    await selectBackend({ requested: 'wasm' });
    await generateDataset({
      out: join(dir, 'dataset'),
      layout: '45',
      rows: options.rows ?? 2000,
      seed: options.seed ?? 8,
    });
    await ingestDataset({ datasetDir: join(dir, 'dataset'), out: data, exclude: ['IAT'] });
    await trainModels({
      data,
      out: bundle,
      profile: 'quick',
      epochs: 1,
      windowLength: 5,
      lstmUnits: 8,
      autoencoderUnits: [16, 8, 4],
      balanceTarget: 60,
    });
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { dir, data, bundle, cleanup };
}
