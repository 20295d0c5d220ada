import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { Scaler } from '../../../pipelines/features/scaler.js';
import {
  BUNDLE_FILES,
  loadBundle,
  writeBundle,
  type BundleContent,
} from '../../../pipelines/models/bundle.js';
import { LAYOUT_39 } from '../../../schemas/layouts.js';
import { CLASSES_6 } from '../../../schemas/taxonomy.js';
import { tempDir } from '../../helpers/paths.js';

const FEATURES = [...LAYOUT_39.columns];

function content(): BundleContent {
  const scaler = new Scaler({
    layout: '39',
    features: FEATURES,
    count: 10,
    means: FEATURES.map(() => 1),
    stds: FEATURES.map((_, i) => (i === 3 ? 0 : 2)),
    dataChecksum: 'a'.repeat(64),
  });
  return {
    createdAt: '2026-01-01T00:00:00.000Z',
    data: {
      source: 'generated',
      layout: '39',
      deduplicated: false,
      excludedFeatures: [],
      validation: 'blocks',
    },
    layout: '39',
    features: FEATURES,
    granularity: 6,
    classes: [...CLASSES_6],
    windowLength: 10,
    scaler: scaler.toJSON(),
    ensemble: { autoencoder: 0.4, lstm: 0.6, formula: 'test' },
    anomaly: { threshold: 1.5, quantile: 0.99, fittedOn: 100 },
    metrics: {
      validation: {
        autoencoder: { accuracy: 0.8, macroF1: 0.7 },
        lstm: { accuracy: 0.9, macroF1: 0.85 },
        ensemble: { accuracy: 0.91, macroF1: 0.86 },
      },
    },
    training: { seed: 1 },
    history: {
      autoencoder: [
        { epoch: 1, loss: 1, accuracy: 0.5, validationLoss: 1.1, validationAccuracy: 0.4 },
      ],
      lstm: [],
    },
    backend: 'wasm',
  };
}

function files(): Record<string, Uint8Array> {
  return Object.fromEntries(
    Object.values(BUNDLE_FILES).map((name, i) => [name, Uint8Array.from([i, 1, 2, 3])]),
  );
}

async function withBundle(test: (dir: string) => Promise<void>): Promise<void> {
  const { dir, cleanup } = await tempDir('bundle');
  try {
    const bundle = join(dir, 'bundle');
    await writeBundle(bundle, content(), files());
    await test(bundle);
  } finally {
    await cleanup();
  }
}

async function editManifest(dir: string, edit: (m: Record<string, unknown>) => void) {
  const path = join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  edit(manifest);
  await writeFile(path, JSON.stringify(manifest));
}

describe('model bundle', () => {
  it('round-trips the manifest and every file, checksums verified', () =>
    withBundle(async (dir) => {
      const bundle = await loadBundle(dir, { layout: '39', features: FEATURES });
      assert.equal(bundle.manifest.format, 'iomt-model-bundle');
      assert.equal(bundle.manifest.version, 1);
      assert.deepEqual(bundle.shape, { features: 39, classes: 6, windowLength: 10 });
      assert.deepEqual([...bundle.file(BUNDLE_FILES.lstmOnnx)], [5, 1, 2, 3]);
      assert.match(bundle.manifest.files['autoencoder.onnx'] ?? '', /^[0-9a-f]{64}$/);
      assert.deepEqual(bundle.scaler.constant, ['Rate']);
    }));

  it('refuses a file changed after the bundle was written', () =>
    withBundle(async (dir) => {
      await writeFile(join(dir, BUNDLE_FILES.autoencoderOnnx), Uint8Array.from([9]));
      await assert.rejects(loadBundle(dir), /autoencoder.onnx does not match its sha256/);
    }));

  it('refuses a missing file and a folder without a manifest', () =>
    withBundle(async (dir) => {
      await rm(join(dir, BUNDLE_FILES.lstmWeights));
      await assert.rejects(loadBundle(dir), /lstm.weights.bin is missing/);
      await rm(join(dir, 'manifest.json'));
      await assert.rejects(loadBundle(dir), /no manifest.json: not a model bundle/);
    }));

  it('refuses another bundle version, a damaged scaler and a class list that differs', () =>
    withBundle(async (dir) => {
      await editManifest(dir, (m) => (m.version = 2));
      await assert.rejects(loadBundle(dir), /bundle version 2 is not supported/);
      await editManifest(dir, (m) => {
        m.version = 1;
        (m.scaler as { means: number[] }).means[0] = 5;
      });
      await assert.rejects(loadBundle(dir), /checksum/);
      await editManifest(dir, (m) => {
        m.scaler = content().scaler;
        m.classes = ['Benign', 'Attack'];
      });
      await assert.rejects(loadBundle(dir), /classes do not match the 6-class taxonomy/);
    }));

  it('refuses data whose layout or feature order differs, saying what differs', () =>
    withBundle(async (dir) => {
      await assert.rejects(
        loadBundle(dir, { layout: '45', features: FEATURES }),
        /layout is 45-column, the model bundle's is 39-column/,
      );
      const swapped = [FEATURES[1] ?? '', FEATURES[0] ?? '', ...FEATURES.slice(2)];
      await assert.rejects(
        loadBundle(dir, { layout: '39', features: swapped }),
        (error: unknown) => {
          assert.equal((error as { code?: string }).code, 'BUNDLE_MISMATCH');
          assert.match(String(error), /feature order differs at position 0/);
          return true;
        },
      );
      await assert.rejects(
        loadBundle(dir, { features: FEATURES.slice(1) }),
        /missing features: Header_Length/,
      );
    }));
});
