import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { fitAnomalyThreshold, quantile } from '../../../pipelines/models/anomaly.js';

describe('unknown-attack threshold', () => {
  it('takes quantiles with linear interpolation, as numpy does by default', () => {
    const values = [5, 1, 4, 2, 3];
    assert.equal(quantile(values, 0), 1);
    assert.equal(quantile(values, 1), 5);
    assert.equal(quantile(values, 0.5), 3);
    assert.equal(quantile(values, 0.9), 4.6);
    assert.equal(quantile([2], 0.99), 2);
  });

  it('fits the threshold on benign errors at the configured quantile', () => {
    const errors = Array.from({ length: 101 }, (_, i) => i / 100);
    const fitted = fitAnomalyThreshold(errors, 0.95);
    assert.ok(Math.abs(fitted.threshold - 0.95) < 1e-12);
    assert.equal(fitted.quantile, 0.95);
    assert.equal(fitted.fittedOn, 101);
    assert.ok(Math.abs(fitAnomalyThreshold(errors).threshold - 0.99) < 1e-12);
  });

  it('refuses a quantile outside (0, 1) and an empty benign set', () => {
    assert.throws(() => fitAnomalyThreshold([1], 1), /anomalyQuantile/);
    assert.throws(() => fitAnomalyThreshold([]), /no benign validation records/);
  });
});
