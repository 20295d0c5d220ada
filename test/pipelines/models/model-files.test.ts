import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { buildAutoencoder } from '../../../pipelines/models/autoencoder.js';
import { selectBackend, tf } from '../../../pipelines/models/backend.js';
import { buildLstm } from '../../../pipelines/models/lstm.js';
import { loadModel, modelFileNames, saveModel } from '../../../pipelines/models/model-files.js';
import { IomtError, InvalidOptionError } from '../../../schemas/errors.js';
import { tempDir } from '../../helpers/paths.js';

function outputs(model: tf.LayersModel, input: tf.Tensor): number[][] {
  return tf.tidy(() => {
    const out = model.predict(input);
    return (Array.isArray(out) ? out : [out]).map((t) => Array.from(t.dataSync()));
  });
}

function assertFileError(error: unknown, file: string, pattern: RegExp): boolean {
  assert.ok(error instanceof IomtError);
  assert.equal(error.code, 'IO');
  assert.equal(error.context.file, file);
  assert.match(error.message, pattern);
  return true;
}

describe('model files', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const models: tf.LayersModel[] = [];

  before(async () => {
    await selectBackend({ requested: 'wasm' });
    ({ dir, cleanup } = await tempDir('model-files'));
  });

  after(async () => {
    models.forEach((model) => model.dispose());
    await cleanup();
  });

  it('writes <name>.json and <name>.weights.bin and returns their paths', async () => {
    const model = buildLstm({ features: 3, classes: 2, windowLength: 2, units: 4, seed: 1 });
    models.push(model);
    const paths = await saveModel(model, join(dir, 'nested'), 'lstm');

    assert.deepEqual(paths, [
      join(dir, 'nested', 'lstm.weights.bin'),
      join(dir, 'nested', 'lstm.json'),
    ]);
    const json = JSON.parse(await readFile(join(dir, 'nested', 'lstm.json'), 'utf8')) as {
      format: string;
      weightsManifest: { paths: string[] }[];
    };
    assert.equal(json.format, 'layers-model');
    assert.deepEqual(json.weightsManifest[0]?.paths, ['lstm.weights.bin']);
  });

  it('loads an autoencoder that gives identical outputs', async () => {
    const model = buildAutoencoder({ features: 6, classes: 3, units: [8, 4, 2], seed: 3 });
    models.push(model);
    await saveModel(model, dir, 'autoencoder');
    const loaded = await loadModel(dir, 'autoencoder');
    models.push(loaded);

    const input = tf.randomNormal([5, 6], 0, 1, 'float32', 9);
    assert.deepEqual(outputs(loaded, input), outputs(model, input));
    assert.deepEqual(loaded.outputNames, model.outputNames);
    input.dispose();
  });

  it('loads an LSTM that gives identical outputs', async () => {
    const model = buildLstm({ features: 4, classes: 3, windowLength: 3, units: 6, seed: 4 });
    models.push(model);
    await saveModel(model, dir, 'lstm-round-trip');
    const loaded = await loadModel(dir, 'lstm-round-trip');
    models.push(loaded);

    const input = tf.randomNormal([5, 3, 5], 0, 1, 'float32', 10);
    assert.deepEqual(outputs(loaded, input), outputs(model, input));
    input.dispose();
  });

  it('saves a compiled model without its optimizer state', async () => {
    const model = buildAutoencoder({ features: 4, classes: 2, units: [4, 3, 2], seed: 5 });
    models.push(model);
    model.compile({
      optimizer: tf.train.adam(0.001),
      loss: ['meanSquaredError', 'categoricalCrossentropy'],
    });
    await saveModel(model, dir, 'compiled');
    const json = JSON.parse(await readFile(join(dir, 'compiled.json'), 'utf8')) as object;
    assert.ok(!('trainingConfig' in json));

    const loaded = await loadModel(dir, 'compiled');
    models.push(loaded);
    assert.equal(loaded.getWeights().length, model.getWeights().length);
  });

  it('names a missing json file', async () => {
    const file = join(dir, 'absent.json');
    await assert.rejects(loadModel(dir, 'absent'), (e) => assertFileError(e, file, /missing/));
  });

  it('names a missing weights file', async () => {
    const model = buildLstm({ features: 2, classes: 2, windowLength: 2, units: 2, seed: 1 });
    models.push(model);
    await saveModel(model, dir, 'no-weights');
    const file = join(dir, 'no-weights.weights.bin');
    await rm(file);
    await assert.rejects(loadModel(dir, 'no-weights'), (e) => assertFileError(e, file, /missing/));
  });

  it('names a json file that is not JSON or has no topology', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{"modelTopology": ');
    await assert.rejects(loadModel(dir, 'broken'), (e) => assertFileError(e, file, /not JSON/));

    await writeFile(file, '{"weightsManifest": []}');
    await assert.rejects(loadModel(dir, 'broken'), (e) =>
      assertFileError(e, file, /modelTopology/),
    );
  });

  it('names a weights file of the wrong size', async () => {
    const model = buildLstm({ features: 2, classes: 2, windowLength: 2, units: 2, seed: 1 });
    models.push(model);
    await saveModel(model, dir, 'short');
    const file = join(dir, 'short.weights.bin');
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, bytes.length - 4));
    await assert.rejects(loadModel(dir, 'short'), (e) => assertFileError(e, file, /bytes/));
  });

  it('refuses a weight path that leaves the folder', async () => {
    const model = buildLstm({ features: 2, classes: 2, windowLength: 2, units: 2, seed: 1 });
    models.push(model);
    await saveModel(model, dir, 'escape');
    const file = join(dir, 'escape.json');
    const json = (await readFile(file, 'utf8')).replace('"escape.weights.bin"', '"../x.bin"');
    await writeFile(file, json);
    await assert.rejects(loadModel(dir, 'escape'), /leaves the folder/);
  });

  it('refuses a name that is not a plain file name', () => {
    for (const name of ['', '..', 'a/b']) {
      assert.throws(
        () => modelFileNames(name),
        (error: unknown) => error instanceof InvalidOptionError && error.context.option === 'name',
      );
    }
  });
});
