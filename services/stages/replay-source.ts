import { stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { MissingValuePolicy } from '../../pipelines/dataset/field-parser.js';
import type { Rejection } from '../../pipelines/dataset/rejections.js';
import type { RawFlowRecord } from '../../schemas/avro/messages.js';
import { InvalidInputError, IomtError } from '../../schemas/errors.js';
import type { LayoutName } from '../../schemas/layouts.js';
import type { Split } from '../../schemas/taxonomy.js';
import { openArrowSource } from './replay-arrow.js';
import { openCsvSource } from './replay-csv.js';

/** What one pass over a source reports besides its records. */
export interface ReplayPassHooks {
  /** Each row the CSV reader rejects, with its file and line; only CSV sources have any. */
  onRejection: (rejection: Rejection) => void;
  /** Bytes of CSV read since the last call; only CSV sources call it. */
  onBytes?: (bytes: number) => void;
}

/** Flow records to replay, read pass after pass in file order. */
export interface ReplaySource {
  readonly kind: 'arrow' | 'csv';
  /** The Arrow flow file, or the split's folder of the CSV tree. */
  readonly path: string;
  readonly layout: LayoutName;
  /** Records of one pass, when known before reading it (an Arrow file). */
  readonly rows?: number;
  /** Bytes of one pass (a CSV tree), for progress when the rows are not known. */
  readonly bytes?: number;
  /**
   * One pass: every record in file order, with the capture and seq that `iomt ingest` gives it.
   * `producedAt` is 0; the producer stamps it.
   */
  records(hooks: ReplayPassHooks): AsyncGenerator<RawFlowRecord, void, undefined>;
  close(): Promise<void>;
}

/** Where the records come from. */
export interface ReplaySourceOptions {
  /** An Arrow flow file, a folder with `<split>.arrow`, or a CICIoMT2024 CSV tree. */
  data: string;
  /** The split to replay from a folder. Default `test`. */
  split?: Split;
  /** Empty or NaN CSV fields: reject the row (default) or read them as 0. */
  missing?: MissingValuePolicy;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Opens what `data` names: an Arrow flow file as `iomt ingest` writes it, a folder holding
 * `<split>.arrow`, or else a CSV tree of the data set (its root or its CSV folder), of which
 * the split's capture files are read.
 */
export async function openReplaySource(options: ReplaySourceOptions): Promise<ReplaySource> {
  const split = options.split ?? 'test';
  const { data } = options;
  if (data.endsWith('.arrow')) return openArrowSource(data);
  const arrow = join(data, `${split}.arrow`);
  if (await isFile(arrow)) return openArrowSource(arrow);

  try {
    return await openCsvSource(data, split, options.missing ?? 'reject');
  } catch (error) {
    if (!(error instanceof IomtError) || error.code !== 'DATASET_TREE') throw error;
    throw new InvalidInputError({
      code: 'DATASET_TREE',
      message: `${data} holds no ${split}.arrow; as a CSV tree: ${error.message}`,
      context: { file: data },
    });
  }
}
