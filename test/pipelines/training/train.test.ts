import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { ingestDataset } from '../../../pipelines/arrow/ingest.js';
import { generateDataset } from '../../../pipelines/dataset/synth/index.js';
import { evaluateBundle } from '../../../pipelines/evaluation/evaluate-bundle.js';
import { selectBackend } from '../../../pipelines/models/backend.js';
import { BUNDLE_FILES, loadBundle } from '../../../pipelines/models/bundle.js';
import { resolveTrainingConfig } from '../../../pipelines/training/config.js';
import { crossValidate } from '../../../pipelines/training/cross-validate.js';
import { trainModels, type TrainOptions } from '../../../pipelines/training/train.js';
import { tempDir } from '../../helpers/paths.js';

/** A small, fast configuration: the behaviour under test does not depend on model size. */
const SMALL = {
  profile: 'quick',
  epochs: 2,
  windowLength: 4,
  lstmUnits: 8,
  autoencoderUnits: [16, 8, 4],
  balanceTarget: 80,
  seed: 3,
} satisfies Partial<TrainOptions>;

describe('training, evaluation and cross-validation', () => {
  let dir = '';
  let cleanup = async () => {};
  let data = '';

  before(async () => {
    ({ dir, cleanup } = await tempDir('train'));
    await selectBackend({ requested: 'wasm' });
    await generateDataset({ out: join(dir, 'dataset'), layout: '39', rows: 2500, seed: 4 });
    data = join(dir, 'arrow');
    await ingestDataset({ datasetDir: join(dir, 'dataset'), out: data });
  });
  after(() => cleanup());

  it('trains both models and writes a bundle that loads and describes itself', async () => {
    const out = join(dir, 'bundle-a');
    const epochs: number[] = [];
    const result = await trainModels({ ...SMALL, data, out, onEpoch: (e) => epochs.push(e.epoch) });

    assert.deepEqual(epochs, [0, 1]);
    const bundle = await loadBundle(out);
    const { manifest } = bundle;
    assert.equal(manifest.layout, '39');
    assert.equal(manifest.data.source, 'generated');
    assert.equal(manifest.windowLength, 4);
    assert.equal(manifest.classes.length, 6);
    assert.equal(manifest.backend, 'wasm');
    assert.equal(manifest.history.lstm.length, 2);
    assert.ok(Math.abs(manifest.ensemble.autoencoder + manifest.ensemble.lstm - 1) < 1e-12);
    assert.ok(Number.isFinite(manifest.anomaly.threshold) && manifest.anomaly.threshold > 0);
    assert.equal((manifest.training as { seed: number }).seed, 3);
    assert.ok(result.validation.lstm.accuracy > 0);
    for (const name of Object.values(BUNDLE_FILES)) assert.ok(manifest.files[name], name);
  });

  it('gives the same bundle twice for one seed, and another for another seed', async () => {
    const first = await trainModels({ ...SMALL, data, out: join(dir, 'bundle-b') });
    const again = await trainModels({ ...SMALL, data, out: join(dir, 'bundle-c') });
    const other = await trainModels({ ...SMALL, seed: 4, data, out: join(dir, 'bundle-d') });

    assert.deepEqual(first.manifest.files, again.manifest.files);
    assert.deepEqual(first.manifest.ensemble, again.manifest.ensemble);
    assert.notEqual(
      first.manifest.files[BUNDLE_FILES.lstmWeights],
      other.manifest.files[BUNDLE_FILES.lstmWeights],
    );
  });

  it('evaluates a bundle on ONNX Runtime and on tfjs with the same scores', async () => {
    const bundle = join(dir, 'bundle-a');
    const onnx = await evaluateBundle({ bundle, data, out: join(dir, 'eval-onnx') });
    const tfjs = await evaluateBundle({
      bundle,
      data,
      engine: 'tfjs',
      out: join(dir, 'eval-tfjs'),
    });

    assert.equal(onnx.scored.rows, tfjs.scored.rows);
    let max = 0;
    onnx.scored.probabilities.forEach((p, i) => {
      max = Math.max(max, Math.abs(p - (tfjs.scored.probabilities[i] ?? 0)));
    });
    assert.ok(max < 1e-4, `max difference ${max}`);
    assert.deepEqual(onnx.scored.predicted, tfjs.scored.predicted);

    const saved = JSON.parse(await readFile(onnx.metricsPath, 'utf8')) as typeof onnx.document;
    assert.equal(saved.data.split, 'official test files');
    assert.equal(saved.models.ensemble.metrics.rows, onnx.scored.rows);
    const html = await readFile(onnx.reportPath, 'utf8');
    assert.match(html, /<svg[^>]+id="fig-confusion-ensemble"/);
    assert.match(html, /generated data set/);
  });

  it('cross-validates the three models over capture-block folds', async () => {
    const config = resolveTrainingConfig({ ...SMALL, epochs: 1 });
    const cv = await crossValidate({ data, config, folds: 3, blocksPerCapture: 4 });
    assert.equal(cv.folds, 3);
    for (const name of ['autoencoder', 'lstm', 'ensemble'] as const) {
      assert.equal(cv.accuracies[name].length, 3);
      assert.ok(cv.accuracies[name].every((a) => a >= 0 && a <= 1));
    }
    assert.equal(cv.friedman.degreesOfFreedom, 2);
    assert.ok(cv.friedman.pValue >= 0 && cv.friedman.pValue <= 1);
  });
});
