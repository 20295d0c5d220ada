import type { LoadedBundle } from '../../pipelines/models/bundle.js';
import { WindowStage } from '../../pipelines/stages/window.js';
import type { ScaledFlowRecord } from '../../schemas/avro/messages.js';
import type { StageHandler } from '../runtime/stage-runner.js';

/**
 * The window stage for a stage runner: scaled flow records to flow windows, one `WindowStage`
 * per process.
 *
 * State is kept in memory, with the last T records of each capture beside it, so that a chunk
 * whose transaction aborts is undone exactly and windowed again identically when redelivered.
 *
 * Known gap: the state is not restored after a restart or a rebalance. A restarted process, or
 * one that is assigned a partition another process windowed, starts each of its captures
 * afresh: the first T-1 windows after that point have padded (absent) older steps where the
 * offline windows have records. Restoring it needs a read of the newest window per capture from
 * the windows topic (or a compacted changelog topic) on assignment, before the first batch.
 */
export function windowHandler(
  bundle: LoadedBundle,
): StageHandler<'ScaledFlowRecord', 'FlowWindow'> {
  const windowLength = bundle.shape.windowLength;
  const stage = new WindowStage({
    windowLength,
    features: bundle.shape.features,
    scalerChecksum: bundle.scaler.dataChecksum,
  });
  // The last T records of each capture, as of the last commit, and those of the chunk since.
  const recent = new Map<string, ScaledFlowRecord[]>();
  let touched = new Map<string, ScaledFlowRecord[] | undefined>();

  return {
    stage: 'window',
    input: 'ScaledFlowRecord',
    output: 'FlowWindow',
    process: (records) =>
      Promise.resolve(
        records.map((record) => {
          const outcome = stage.push(record);
          if (!outcome.ok) return outcome;

          const before = recent.get(record.capture);
          if (!touched.has(record.capture)) touched.set(record.capture, before?.slice());
          const kept = before ?? [];
          kept.push(record);
          if (kept.length > windowLength) kept.shift();
          recent.set(record.capture, kept);
          return outcome;
        }),
      ),
    committed: () => {
      touched = new Map();
    },
    aborted: () => {
      for (const [capture, records] of touched) {
        if (records === undefined) {
          stage.drop(capture);
          recent.delete(capture);
        } else {
          stage.restore(capture, records);
          recent.set(capture, records);
        }
      }
      touched = new Map();
    },
  };
}
