import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  AUTOENCODER_BLOCKS,
  AUTOENCODER_DEFAULTS,
  buildAutoencoder,
} from '../../../pipelines/models/autoencoder.js';
import { selectBackend, tf } from '../../../pipelines/models/backend.js';
import { InvalidOptionError } from '../../../schemas/errors.js';

const CONFIG = { features: 9, classes: 6, seed: 7 };

function weightValues(model: tf.LayersModel): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}

function inboundOf(model: tf.LayersModel, name: string): string[] {
  return model.getLayer(name).inboundNodes[0]?.inboundLayers.map((l) => l.name) ?? [];
}

describe('buildAutoencoder', () => {
  const models: tf.LayersModel[] = [];
  const build = (config: Parameters<typeof buildAutoencoder>[0]): tf.LayersModel => {
    const model = buildAutoencoder(config);
    models.push(model);
    return model;
  };

  before(async () => {
    await selectBackend({ requested: 'wasm' });
  });

  after(() => models.forEach((model) => model.dispose()));

  it('chains Dense, BatchNormalization and LeakyReLU in six blocks, then a head', () => {
    const model = build(CONFIG);
    const expected = [
      ['records', 'InputLayer'],
      ...AUTOENCODER_BLOCKS.flatMap((block) => [
        [`${block}_dense`, 'Dense'],
        [`${block}_bn`, 'BatchNormalization'],
        [`${block}_act`, 'LeakyReLU'],
      ]),
      ['head', 'Dense'],
    ];
    const layers = model.layers.map((layer) => [layer.name, layer.getClassName()]);
    assert.deepEqual(
      [...layers].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      [...expected].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );

    for (const block of AUTOENCODER_BLOCKS) {
      assert.deepEqual(inboundOf(model, `${block}_bn`), [`${block}_dense`]);
      assert.deepEqual(inboundOf(model, `${block}_act`), [`${block}_bn`]);
    }
    assert.deepEqual(inboundOf(model, 'dec1_dense'), ['enc3_act']);
    assert.deepEqual(inboundOf(model, 'head'), ['enc3_act']);
  });

  it('mirrors the encoder widths in the decoder, ending at the feature count', () => {
    const model = build({ ...CONFIG, units: [20, 10, 5] });
    const units = AUTOENCODER_BLOCKS.map((b) => model.getLayer(`${b}_dense`).getConfig()['units']);
    assert.deepEqual(units, [20, 10, 5, 10, 20, 9]);
  });

  it('defaults to the paper-sized widths and a LeakyReLU slope of 0.2', () => {
    const model = build(CONFIG);
    const units = AUTOENCODER_BLOCKS.map((b) => model.getLayer(`${b}_dense`).getConfig()['units']);
    assert.deepEqual(units, [64, 32, 16, 32, 64, 9]);
    assert.deepEqual(AUTOENCODER_DEFAULTS, { units: [64, 32, 16], leakyAlpha: 0.2 });
    for (const block of AUTOENCODER_BLOCKS) {
      assert.equal(model.getLayer(`${block}_act`).getConfig()['alpha'], 0.2);
    }
  });

  it('gives the reconstruction, then the class probabilities', () => {
    const model = build(CONFIG);
    assert.deepEqual(
      model.outputs.map((o) => o.shape),
      [
        [null, 9],
        [null, 6],
      ],
    );

    const [reconstruction, probabilities] = model.predict(tf.randomNormal([4, 9])) as tf.Tensor[];
    assert.deepEqual(reconstruction?.shape, [4, 9]);
    assert.deepEqual(probabilities?.shape, [4, 6]);
    const sums = probabilities?.sum(1).dataSync() ?? [];
    for (const sum of sums) assert.ok(Math.abs(sum - 1) < 1e-5);
    tf.dispose([reconstruction, probabilities]);
  });

  it('reproduces the initial weights from a seed, and changes them with it', () => {
    const first = weightValues(build(CONFIG));
    assert.deepEqual(weightValues(build(CONFIG)), first);
    assert.notDeepEqual(weightValues(build({ ...CONFIG, seed: 8 })), first);
  });

  it('seeds each layer differently', () => {
    const model = build({ ...CONFIG, units: [9, 9, 9] });
    const enc2 = model.getLayer('enc2_dense').getWeights()[0]?.dataSync();
    const enc3 = model.getLayer('enc3_dense').getWeights()[0]?.dataSync();
    assert.notDeepEqual(Array.from(enc2 ?? []), Array.from(enc3 ?? []));
  });

  it('refuses bad sizes, naming the option', () => {
    const cases: [Parameters<typeof buildAutoencoder>[0], string][] = [
      [{ ...CONFIG, features: 0 }, 'features'],
      [{ ...CONFIG, classes: 1 }, 'classes'],
      [{ ...CONFIG, units: [8, 0, 4] }, 'units'],
      [{ ...CONFIG, leakyAlpha: -1 }, 'leakyAlpha'],
      [{ ...CONFIG, seed: 0.5 }, 'seed'],
    ];
    for (const [config, option] of cases) {
      assert.throws(
        () => buildAutoencoder(config),
        (error: unknown) => error instanceof InvalidOptionError && error.context.option === option,
      );
    }
  });
});
