import { granularitySymbol } from '../../schemas/avro/names.js';
import type { FlowWindow, ScoredEvent } from '../../schemas/avro/messages.js';
import type { Granularity } from '../../schemas/taxonomy.js';
import type { ModelShape, ScoreInput } from '../models/model-shape.js';
import type { Scorer } from '../models/scorer.js';
import { accept, reject, type StageOutcome } from './outcome.js';

export interface ScoreStageOptions {
  scorer: Scorer;
  shape: ModelShape;
  granularity: Granularity;
  classes: readonly string[];
  /** The bundle's version, carried on every event. */
  modelVersion: string;
  threshold: number;
  now?: () => number;
}

function windowProblem(window: FlowWindow, shape: ModelShape): string | undefined {
  const width = shape.features + 1;
  if (window.windowLength !== shape.windowLength || window.stepWidth !== width) {
    return (
      `window of ${window.windowLength} x ${window.stepWidth}; the model bundle takes ` +
      `${shape.windowLength} x ${width}`
    );
  }
  if (window.steps.length !== shape.windowLength * width) return 'window steps of the wrong length';
  if (window.record.length !== shape.features) return 'newest record of the wrong length';
  return undefined;
}

/**
 * Scores a micro-batch of windows with the bundle's scorer (the same `score` as offline
 * evaluation) and turns each into a scored event. Windows the bundle cannot take are rejected
 * one by one; the others are scored together.
 */
export async function scoreWindows(
  windows: readonly FlowWindow[],
  options: ScoreStageOptions,
): Promise<StageOutcome<ScoredEvent>[]> {
  const { shape } = options;
  const outcomes = new Array<StageOutcome<ScoredEvent>>(windows.length);
  const good: number[] = [];
  windows.forEach((w, i) => {
    const problem = windowProblem(w, shape);
    if (problem) outcomes[i] = reject('FIELD_COUNT', problem);
    else good.push(i);
  });
  if (good.length === 0) return outcomes;

  const input: ScoreInput = {
    rows: good.length,
    records: new Float32Array(good.length * shape.features),
    windows: new Float32Array(good.length * shape.windowLength * (shape.features + 1)),
  };
  good.forEach((i, row) => {
    const w = windows[i] as FlowWindow;
    input.records.set(w.record, row * shape.features);
    input.windows.set(w.steps, row * w.steps.length);
  });
  const scored = await options.scorer.score(input);

  const c = shape.classes;
  const scoredAt = (options.now ?? Date.now)();
  good.forEach((i, row) => {
    const w = windows[i] as FlowWindow;
    const predicted = scored.predicted[row] ?? 0;
    outcomes[i] = accept({
      capture: w.capture,
      seq: w.seq,
      granularity: granularitySymbol(options.granularity),
      predicted: options.classes[predicted] ?? String(predicted),
      predictedIndex: predicted,
      probabilities: Array.from(scored.probabilities.subarray(row * c, (row + 1) * c)),
      aeProbabilities: Array.from(scored.aeProbabilities.subarray(row * c, (row + 1) * c)),
      lstmProbabilities: Array.from(scored.lstmProbabilities.subarray(row * c, (row + 1) * c)),
      reconstructionError: scored.reconstructionError[row] ?? 0,
      unknownAttack: scored.unknown[row] === 1,
      threshold: options.threshold,
      modelVersion: options.modelVersion,
      label19: w.label19,
      label6: w.label6,
      producedAt: w.producedAt,
      scoredAt,
    });
  });
  return outcomes;
}
