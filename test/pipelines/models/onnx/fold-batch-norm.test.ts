import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { denseGemm, foldBatchNorm } from '../../../../pipelines/models/onnx/fold-batch-norm.js';
import type { BatchNormParams, DenseParams } from '../../../../pipelines/models/onnx/layers.js';

// 3 inputs, 2 units.
const DENSE: DenseParams = {
  inputs: 3,
  units: 2,
  kernel: Float32Array.from([1, 2, 3, 4, 5, 6]),
  bias: Float32Array.from([0.5, -1]),
  activation: 'linear',
};

const BN: BatchNormParams = {
  gamma: Float32Array.from([2, 0.5]),
  beta: Float32Array.from([1, -2]),
  movingMean: Float32Array.from([0.25, 3]),
  movingVariance: Float32Array.from([3, 0]),
  epsilon: 1,
};

function dense(x: number[], p: { weights: Float32Array; bias: Float32Array }): number[] {
  return [0, 1].map((j) =>
    x.reduce((sum, v, i) => sum + v * (p.weights[i * 2 + j] ?? 0), p.bias[j] ?? 0),
  );
}

describe('foldBatchNorm', () => {
  it('scales each output column by γ / √(σ² + ε) and shifts the bias', () => {
    // √(3 + 1) = 2 and √(0 + 1) = 1, so the scales are 2 / 2 = 1 and 0.5 / 1 = 0.5.
    const gemm = foldBatchNorm(DENSE, BN);
    assert.deepEqual(Array.from(gemm.weights), [1, 1, 3, 2, 5, 3]);
    assert.deepEqual(Array.from(gemm.bias), [(0.5 - 0.25) * 1 + 1, (-1 - 3) * 0.5 - 2]);
    assert.deepEqual([gemm.inputs, gemm.units], [3, 2]);
  });

  it('computes what Dense then inference batch normalization computes', () => {
    const bn = {
      ...BN,
      gamma: Float32Array.from([1.7, -0.3]),
      movingVariance: Float32Array.from([0.4, 2.2]),
      epsilon: 1e-3,
    };
    const gemm = foldBatchNorm(DENSE, bn);
    const x = [0.3, -1.2, 2.5];

    const z = dense(x, { weights: DENSE.kernel, bias: DENSE.bias });
    const expected = z.map(
      (v, j) =>
        ((bn.gamma[j] ?? 0) * (v - (bn.movingMean[j] ?? 0))) /
          Math.sqrt((bn.movingVariance[j] ?? 0) + bn.epsilon) +
        (bn.beta[j] ?? 0),
    );
    dense(x, gemm).forEach((v, j) => assert.ok(Math.abs(v - (expected[j] ?? 0)) < 1e-5));
  });

  it('refuses statistics for another number of channels', () => {
    const bn = { ...BN, movingMean: new Float32Array(3) };
    assert.throws(() => foldBatchNorm(DENSE, bn), /3 channels, dense has 2/);
  });
});

describe('denseGemm', () => {
  it('passes a Dense layer through', () => {
    const gemm = denseGemm(DENSE);
    assert.equal(gemm.weights, DENSE.kernel);
    assert.equal(gemm.bias, DENSE.bias);
  });
});
