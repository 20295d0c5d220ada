import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { combineProbabilities, ensembleWeights } from '../../../pipelines/models/ensemble.js';

describe('ensemble', () => {
  it('weights each model by its share of the validation macro F1', () => {
    const w = ensembleWeights({ autoencoder: 0.6, lstm: 0.9 });
    assert.ok(Math.abs(w.autoencoder - 0.4) < 1e-12);
    assert.ok(Math.abs(w.lstm - 0.6) < 1e-12);
    assert.match(w.formula, /macro F1/);
    assert.deepEqual(ensembleWeights({ autoencoder: 0, lstm: 0 }).lstm, 0.5);
    assert.equal(ensembleWeights({ autoencoder: 0, lstm: 0.7 }).lstm, 1);
  });

  it('refuses scores outside [0, 1]', () => {
    assert.throws(
      () => ensembleWeights({ autoencoder: 1.2, lstm: 0.5 }),
      /validationF1.autoencoder/,
    );
    assert.throws(() => ensembleWeights({ autoencoder: 0.2, lstm: NaN }), /validationF1.lstm/);
  });

  it('combines probabilities with the weights', () => {
    const weights = { autoencoder: 0.25, lstm: 0.75, formula: '' };
    const ae = Float32Array.from([0.8, 0.2, 0.1, 0.9]);
    const lstm = Float32Array.from([0.2, 0.8, 0.5, 0.5]);
    const p = combineProbabilities(weights, ae, lstm);
    assert.deepEqual(
      [...p].map((v) => Math.round(v * 1000) / 1000),
      [0.35, 0.65, 0.4, 0.6],
    );
  });
});
