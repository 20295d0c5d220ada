import { join } from 'node:path';

import { openFlowFile } from '../../pipelines/arrow/flow-reader.js';
import { evaluateBundle } from '../../pipelines/evaluation/evaluate-bundle.js';
import { recordKey } from './delivered.js';

/** A flow record of the test split, as replay and every stage name it. */
export interface OfflineRecord {
  readonly capture: string;
  readonly seq: number;
}

/** What offline evaluation made of the test split. */
export interface OfflinePredictions {
  /** Every scored record, in file order: the order replay sends them in. */
  readonly records: readonly OfflineRecord[];
  /** The predicted class index of each record, by `recordKey`. */
  readonly predicted: ReadonlyMap<string, number>;
}

/**
 * Evaluates `bundle` on the `test.arrow` of `data` (writing the evaluation under `out`) and
 * answers each record's predicted class: what a stream of the same records must score.
 */
export async function offlinePredictions(options: {
  bundle: string;
  data: string;
  out: string;
}): Promise<OfflinePredictions> {
  const offline = await evaluateBundle(options);
  const file = await openFlowFile(join(options.data, 'test.arrow'));
  const captures = file.info.captures;
  await file.close();

  const records: OfflineRecord[] = [];
  const predicted = new Map<string, number>();
  for (let i = 0; i < offline.scored.rows; i++) {
    const capture = captures[offline.scored.capture[i] ?? -1] ?? '?';
    const record = { capture, seq: offline.scored.seq[i] ?? -1 };
    records.push(record);
    predicted.set(recordKey(record), offline.scored.predicted[i] ?? -1);
  }
  return { records, predicted };
}
