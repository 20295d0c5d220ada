import type { LoadedBundle } from '../../pipelines/models/bundle.js';
import { WindowStage } from '../../pipelines/stages/window.js';
import type { FlowWindow, ScaledFlowRecord } from '../../schemas/avro/messages.js';
import type { StageHandler } from '../runtime/stage-runner.js';
import { readNewestWindows, type WindowRestoreOptions } from './window-restore.js';

/**
 * The window stage for a stage runner: scaled flow records to flow windows, one `WindowStage`
 * per process.
 *
 * State is kept in memory, with the last T records of each capture beside it, so that a chunk
 * whose transaction aborts is undone exactly and windowed again identically when redelivered.
 *
 * With `restore`, the state of every input partition newly assigned (after a start, a restart
 * or a rebalance) is rebuilt before its first record is windowed: the newest committed window
 * of each of its captures is read back from the windows topic (`readNewestWindows`) and holds
 * the capture's last T records. Without it, a capture met afresh starts with padded (absent)
 * older steps.
 */
export function windowHandler(
  bundle: LoadedBundle,
  restore?: WindowRestoreOptions,
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
  // The input partition of each capture with state, so that a reassigned one is rebuilt.
  const partitionOf = new Map<string, number>();

  return {
    stage: 'window',
    input: 'ScaledFlowRecord',
    output: 'FlowWindow',
    process: (records, partition) =>
      Promise.resolve(
        records.map((record) => {
          const outcome = stage.push(record);
          if (!outcome.ok) return outcome;
          if (partition !== undefined) partitionOf.set(record.capture, partition);

          const before = recent.get(record.capture);
          if (!touched.has(record.capture)) touched.set(record.capture, before?.slice());
          const kept = before ?? [];
          kept.push(record);
          if (kept.length > windowLength) kept.shift();
          recent.set(record.capture, kept);
          return outcome;
        }),
      ),
    ...(restore && {
      assigned: async (partitions: readonly number[]) => {
        const windows = await readNewestWindows(restore, partitions);
        const rebuilt = new Set(partitions);
        for (const [capture, partition] of partitionOf) {
          if (!rebuilt.has(partition)) continue;
          stage.drop(capture);
          recent.delete(capture);
          partitionOf.delete(capture);
        }
        for (const window of windows.values()) {
          stage.restoreFromWindow(window);
          recent.set(window.capture, recordsOf(window));
        }
      },
    }),
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

/**
 * The present steps of `window` as the records they were, oldest first, so that an aborted
 * chunk after a restore can be undone like any other; only the newest carries the real seq.
 */
function recordsOf(window: FlowWindow): ScaledFlowRecord[] {
  const features = window.stepWidth - 1;
  const records: ScaledFlowRecord[] = [];
  for (let step = 0; step < window.windowLength; step++) {
    const at = step * window.stepWidth;
    if (window.steps[at + features] !== 1) continue;
    records.push({
      capture: window.capture,
      seq: 0,
      layout: window.layout,
      excludedFeatures: window.excludedFeatures,
      values: window.steps.slice(at, at + features),
      scalerChecksum: window.scalerChecksum,
      label19: null,
      label6: null,
      producedAt: window.producedAt,
      scaledAt: window.windowedAt,
    });
  }
  const last = records[records.length - 1];
  if (last) last.seq = window.seq;
  return records;
}
