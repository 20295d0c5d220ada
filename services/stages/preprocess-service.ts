import type { LoadedBundle } from '../../pipelines/models/bundle.js';
import { preprocessRecord } from '../../pipelines/stages/preprocess.js';
import type { StageHandler } from '../runtime/stage-runner.js';

/**
 * The preprocess stage for a stage runner: raw flow records to scaled flow records, with the
 * model bundle's scaler. Stateless.
 */
export function preprocessHandler(
  bundle: LoadedBundle,
): StageHandler<'RawFlowRecord', 'ScaledFlowRecord'> {
  return {
    stage: 'preprocess',
    input: 'RawFlowRecord',
    output: 'ScaledFlowRecord',
    process: (records) =>
      Promise.resolve(records.map((raw) => preprocessRecord(raw, { scaler: bundle.scaler }))),
  };
}
