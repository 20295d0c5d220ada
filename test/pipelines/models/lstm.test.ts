import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { selectBackend, tf } from '../../../pipelines/models/backend.js';
import { buildLstm, LSTM_DEFAULTS } from '../../../pipelines/models/lstm.js';
import type { LstmConfig } from '../../../pipelines/models/lstm.js';
import { InvalidOptionError } from '../../../schemas/errors.js';

const CONFIG: LstmConfig = { features: 5, classes: 3, windowLength: 4, units: 8, seed: 11 };

function weightOf(model: tf.LayersModel, suffix: string): Float32Array {
  const variable = model.getLayer('lstm').weights.find((w) => w.originalName.endsWith(suffix));
  assert.ok(variable, `no weight ${suffix}`);
  return Float32Array.from(variable.read().dataSync());
}

describe('buildLstm', () => {
  const models: tf.LayersModel[] = [];
  const build = (config: LstmConfig): tf.LayersModel => {
    const model = buildLstm(config);
    models.push(model);
    return model;
  };

  before(async () => {
    await selectBackend({ requested: 'wasm' });
  });

  after(() => models.forEach((model) => model.dispose()));

  it('reads windows of F + 1 values per step through one LSTM into a softmax head', () => {
    const model = build(CONFIG);
    assert.deepEqual(
      model.layers.map((l) => [l.name, l.getClassName()]),
      [
        ['windows', 'InputLayer'],
        ['lstm', 'LSTM'],
        ['head', 'Dense'],
      ],
    );
    assert.deepEqual(model.inputs[0]?.shape, [null, 4, 6]);
    assert.deepEqual(model.outputs[0]?.shape, [null, 3]);
    assert.equal(model.getLayer('head').getConfig()['activation'], 'softmax');
  });

  it('uses the logistic sigmoid for its gates, tanh elsewhere, and no sequences', () => {
    const config = build(CONFIG).getLayer('lstm').getConfig();
    assert.equal(config['units'], 8);
    assert.equal(config['activation'], 'tanh');
    assert.equal(config['recurrentActivation'], 'sigmoid');
    assert.equal(config['unitForgetBias'], true);
    assert.equal(config['returnSequences'], false);
  });

  it('defaults to 64 units', () => {
    const model = build({ ...CONFIG, units: undefined });
    assert.equal(LSTM_DEFAULTS.units, 64);
    assert.equal(model.getLayer('lstm').getConfig()['units'], 64);
  });

  it('starts the forget gate bias at one and the others at zero', () => {
    const bias = Array.from(weightOf(build(CONFIG), '/bias'));
    const h = 8;
    // tfjs's gate blocks: input, forget, cell, output.
    assert.deepEqual(bias.slice(0, h), new Array<number>(h).fill(0));
    assert.deepEqual(bias.slice(h, 2 * h), new Array<number>(h).fill(1));
    assert.deepEqual(bias.slice(2 * h), new Array<number>(2 * h).fill(0));
  });

  it('starts the recurrent kernel with orthonormal rows', () => {
    const h = 8;
    const kernel = weightOf(build(CONFIG), '/recurrent_kernel');
    for (let a = 0; a < h; a++) {
      for (let b = 0; b < h; b++) {
        let dot = 0;
        for (let k = 0; k < 4 * h; k++) {
          dot += (kernel[a * 4 * h + k] ?? 0) * (kernel[b * 4 * h + k] ?? 0);
        }
        assert.ok(Math.abs(dot - (a === b ? 1 : 0)) < 1e-5, `row ${a} · row ${b} = ${dot}`);
      }
    }
  });

  it('gives class probabilities for each window', () => {
    const model = build(CONFIG);
    const probabilities = model.predict(tf.randomNormal([3, 4, 6])) as tf.Tensor;
    assert.deepEqual(probabilities.shape, [3, 3]);
    for (const sum of probabilities.sum(1).dataSync()) assert.ok(Math.abs(sum - 1) < 1e-5);
    probabilities.dispose();
  });

  it('reproduces every initial weight from a seed, and changes them with it', () => {
    const values = (model: tf.LayersModel) =>
      model.getWeights().map((w) => Array.from(w.dataSync()));
    const first = values(build(CONFIG));
    assert.deepEqual(values(build(CONFIG)), first);

    const other = values(build({ ...CONFIG, seed: 12 }));
    for (const k of [0, 1, 3]) assert.notDeepEqual(other[k], first[k], `weight ${k}`);
  });

  it('gives the same initial weights on every backend', async () => {
    const values = (model: tf.LayersModel) =>
      model.getWeights().map((w) => Array.from(w.dataSync()));
    const onWasm = values(build(CONFIG));
    await selectBackend({ requested: 'cpu' });
    const onCpu = values(build(CONFIG));
    await selectBackend({ requested: 'wasm' });
    assert.deepEqual(onCpu, onWasm);
  });

  it('refuses bad sizes, naming the option', () => {
    const cases: [LstmConfig, string][] = [
      [{ ...CONFIG, features: 0 }, 'features'],
      [{ ...CONFIG, classes: 1 }, 'classes'],
      [{ ...CONFIG, windowLength: 0 }, 'windowLength'],
      [{ ...CONFIG, units: 2.5 }, 'units'],
      [{ ...CONFIG, seed: Number.NaN }, 'seed'],
    ];
    for (const [config, option] of cases) {
      assert.throws(
        () => buildLstm(config),
        (error: unknown) => error instanceof InvalidOptionError && error.context.option === option,
      );
    }
  });
});
