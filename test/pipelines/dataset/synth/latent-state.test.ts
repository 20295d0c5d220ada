import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Random } from '../../../../pipelines/features/random.js';
import { LATENT_RATE, LatentState } from '../../../../pipelines/dataset/synth/latent-state.js';
import type { Dynamics } from '../../../../pipelines/dataset/synth/profiles.js';

function series(dynamics: Dynamics, steps: number, seed = 1): number[] {
  const state = new LatentState(dynamics, new Random(seed));
  const out: number[] = [];
  for (let t = 0; t < steps; t++) {
    state.step();
    out.push(state.values[LATENT_RATE] ?? Number.NaN);
  }
  return out;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function variance(xs: readonly number[]): number {
  const m = mean(xs);
  return mean(xs.map((x) => (x - m) ** 2));
}

function autocorrelation(xs: readonly number[], lag: number): number {
  const m = mean(xs);
  let num = 0;
  for (let t = lag; t < xs.length; t++) num += ((xs[t] ?? 0) - m) * ((xs[t - lag] ?? 0) - m);
  return num / xs.length / variance(xs);
}

describe('LatentState', () => {
  it('follows an AR(1) process: lag-1 autocorrelation near phi', () => {
    const xs = series({ phi: 0.8, periodic: 0, period: 10 }, 20_000);
    assert.ok(Math.abs(autocorrelation(xs, 1) - 0.8) < 0.03);
    assert.ok(Math.abs(autocorrelation(xs, 2) - 0.64) < 0.04);
  });

  it('has about unit variance and zero mean whatever the dynamics', () => {
    for (const dynamics of [
      { phi: 0.95, periodic: 0.05, period: 40 },
      { phi: 0.3, periodic: 0.5, period: 6 },
      { phi: 0, periodic: 0, period: 2 },
    ]) {
      const xs = series(dynamics, 40_000, 3);
      assert.ok(Math.abs(variance(xs) - 1) < 0.15, JSON.stringify(dynamics));
      assert.ok(Math.abs(mean(xs)) < 0.15, JSON.stringify(dynamics));
    }
  });

  it('shows the periodic part as autocorrelation at the period', () => {
    const xs = series({ phi: 0.1, periodic: 0.6, period: 8 }, 20_000);
    assert.ok(autocorrelation(xs, 8) > 0.5);
    assert.ok(autocorrelation(xs, 4) < -0.4);
  });

  it('is reproducible from the seed', () => {
    const dynamics = { phi: 0.5, periodic: 0.2, period: 12 };
    assert.deepEqual(series(dynamics, 50, 9), series(dynamics, 50, 9));
    assert.notDeepEqual(series(dynamics, 50, 9), series(dynamics, 50, 10));
  });
});
