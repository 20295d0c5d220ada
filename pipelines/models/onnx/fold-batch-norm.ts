import type { BatchNormParams, DenseParams } from './layers.js';

/** A Gemm's constant operands: B [inputs, units] row-major and C [units]. */
export interface GemmParams {
  inputs: number;
  units: number;
  weights: Float32Array;
  bias: Float32Array;
}

/**
 * Folds an inference-time batch normalization into the Dense layer before it, so the pair
 * becomes one Gemm. At inference BN computes y = γ (x − μ) / √(σ² + ε) + β with the MOVING
 * mean μ and variance σ² (the batch statistics are only used while training). With x = W·v + b,
 * per output column j and s_j = γ_j / √(σ²_j + ε):
 *
 *   W'[i, j] = W[i, j] · s_j,   b'_j = (b_j − μ_j) · s_j + β_j.
 *
 * Computed in float64 and rounded once to float32.
 */
export function foldBatchNorm(dense: DenseParams, bn: BatchNormParams): GemmParams {
  const { inputs, units } = dense;
  if (bn.movingMean.length !== units) {
    throw new RangeError(
      `batch normalization has ${bn.movingMean.length} channels, dense has ${units}`,
    );
  }

  const scale = Float64Array.from(
    bn.gamma,
    (gamma, j) => gamma / Math.sqrt((bn.movingVariance[j] as number) + bn.epsilon),
  );
  const weights = new Float32Array(inputs * units);
  for (let i = 0; i < inputs; i++) {
    for (let j = 0; j < units; j++) {
      weights[i * units + j] = (dense.kernel[i * units + j] as number) * (scale[j] as number);
    }
  }

  const bias = Float32Array.from(
    scale,
    (s, j) =>
      ((dense.bias[j] as number) - (bn.movingMean[j] as number)) * s + (bn.beta[j] as number),
  );
  return { inputs, units, weights, bias };
}

/** A Dense layer as a Gemm, unchanged. */
export function denseGemm(dense: DenseParams): GemmParams {
  return { inputs: dense.inputs, units: dense.units, weights: dense.kernel, bias: dense.bias };
}
