import { argmaxRows } from '../evaluation/metrics.js';
import { combineProbabilities, type EnsembleWeights } from './ensemble.js';
import type { AnomalyThreshold } from './anomaly.js';
import type { ModelRunner, ModelShape, ScoreInput } from './model-shape.js';

/** Everything the ensemble says about a batch of records. */
export interface ScoredBatch {
  rows: number;
  /** `rows * classes` ensemble probabilities. */
  probabilities: Float32Array;
  predicted: Uint8Array;
  aeProbabilities: Float32Array;
  aePredicted: Uint8Array;
  lstmProbabilities: Float32Array;
  lstmPredicted: Uint8Array;
  reconstructionError: Float32Array;
  /** 1 where the reconstruction error is above the threshold, whatever the predicted class. */
  unknown: Uint8Array;
}

export interface ScorerOptions {
  runner: ModelRunner;
  shape: ModelShape;
  weights: EnsembleWeights;
  anomaly: AnomalyThreshold;
}

/**
 * The one scoring function of the project: offline evaluation and the streaming scorer both
 * call `score`, so they agree record for record whichever runner (tfjs or ONNX Runtime) runs.
 */
export class Scorer {
  constructor(private readonly options: ScorerOptions) {}

  get runnerName(): string {
    return this.options.runner.name;
  }

  async score(input: ScoreInput): Promise<ScoredBatch> {
    const { runner, shape, weights, anomaly } = this.options;
    const outputs = await runner.run(input);

    const probabilities = combineProbabilities(
      weights,
      outputs.aeProbabilities,
      outputs.lstmProbabilities,
    );
    const unknown = new Uint8Array(outputs.rows);
    outputs.reconstructionError.forEach((error, i) => {
      unknown[i] = error > anomaly.threshold ? 1 : 0;
    });
    return {
      rows: outputs.rows,
      probabilities,
      predicted: argmaxRows(probabilities, shape.classes),
      aeProbabilities: outputs.aeProbabilities,
      aePredicted: argmaxRows(outputs.aeProbabilities, shape.classes),
      lstmProbabilities: outputs.lstmProbabilities,
      lstmPredicted: argmaxRows(outputs.lstmProbabilities, shape.classes),
      reconstructionError: outputs.reconstructionError,
      unknown,
    };
  }

  dispose(): Promise<void> {
    return this.options.runner.dispose();
  }
}
