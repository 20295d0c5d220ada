import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

import type { LoadedBundle } from '../../pipelines/models/bundle.js';
import type { Scorer } from '../../pipelines/models/scorer.js';
import type { StageOutcome } from '../../pipelines/stages/outcome.js';
import { scoreWindows, type ScoreStageOptions } from '../../pipelines/stages/score.js';
import type { ScoredEvent } from '../../schemas/avro/messages.js';
import type { StageHandler } from '../runtime/stage-runner.js';
import { IOMT } from '../telemetry/messaging-attributes.js';

/** Options of `scoreHandler`. */
export interface ScoreHandlerOptions {
  /** Windows scored together. Default 256. */
  microBatch?: number;
}

/**
 * The score stage for a stage runner: flow windows to scored events, scored in micro-batches
 * with the bundle's scorer, yielding to the event loop between them so that heartbeats go out.
 * Stateless. The caller owns `scorer` and disposes of it.
 */
export function scoreHandler(
  bundle: LoadedBundle,
  scorer: Scorer,
  options: ScoreHandlerOptions = {},
): StageHandler<'FlowWindow', 'ScoredEvent'> {
  const microBatch = options.microBatch ?? 256;
  const scoreOptions: ScoreStageOptions = {
    scorer,
    shape: bundle.shape,
    granularity: bundle.manifest.granularity,
    classes: bundle.manifest.classes,
    modelVersion: bundle.version,
    threshold: bundle.manifest.anomaly.threshold,
  };

  return {
    stage: 'score',
    input: 'FlowWindow',
    output: 'ScoredEvent',
    process: async (windows) => {
      const outcomes: StageOutcome<ScoredEvent>[] = [];
      for (let from = 0; from < windows.length; from += microBatch) {
        outcomes.push(
          ...(await scoreWindows(windows.slice(from, from + microBatch), scoreOptions)),
        );
        await yieldToEventLoop();
      }
      return outcomes;
    },
    describe: (event) => ({
      [IOMT.predicted]: event.predicted,
      [IOMT.modelVersion]: event.modelVersion,
      [IOMT.unknownAttack]: event.unknownAttack,
    }),
  };
}
