import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';

import { commonLayout } from '../../pipelines/dataset/common-layout.js';
import { readCaptureRows } from '../../pipelines/dataset/csv-reader.js';
import type { MissingValuePolicy } from '../../pipelines/dataset/field-parser.js';
import { listCaptureFiles } from '../../pipelines/dataset/tree.js';
import type { RawFlowRecord } from '../../schemas/avro/messages.js';
import { layoutSymbol } from '../../schemas/avro/names.js';
import { InvalidInputError } from '../../schemas/errors.js';
import { layoutByName } from '../../schemas/layouts.js';
import type { Split } from '../../schemas/taxonomy.js';
import type { ReplayPassHooks, ReplaySource } from './replay-source.js';

/**
 * The capture files of one split of a CSV tree as a replay source. Rows are read and checked
 * by the dataset's CSV reader, as the ingest reads them: a capture is its file name without
 * `.pcap.csv`, a record's seq its position among the file's data rows (rejected rows keep
 * their number), its label the file name's. Every column is sent, as float32, so a record
 * equals the one of an Arrow file ingested from the tree without `--dedupe`.
 */
export async function openCsvSource(
  data: string,
  split: Split,
  missing: MissingValuePolicy,
): Promise<ReplaySource> {
  const files = (await listCaptureFiles(data)).filter((f) => f.split === split);
  const first = files[0];
  if (!first) {
    throw new InvalidInputError({
      code: 'DATASET_TREE',
      message: `no ${split} capture files under ${data}`,
      context: { file: data },
    });
  }
  const layout = (await commonLayout(files, 'replay')).name;
  const symbol = layoutSymbol(layout);
  const width = layoutByName(layout).columns.length;
  const sizes = await Promise.all(files.map((f) => stat(f.path)));

  async function* records(hooks: ReplayPassHooks): AsyncGenerator<RawFlowRecord, void, undefined> {
    for (const file of files) {
      const rows = readCaptureRows(file.path, {
        missing,
        onRejection: hooks.onRejection,
        ...(hooks.onBytes && { onBytes: hooks.onBytes }),
      });
      for await (const chunk of rows) {
        for (let r = 0; r < chunk.rows; r++) {
          const row = chunk.values.subarray(r * width, (r + 1) * width);
          yield {
            capture: file.capture,
            seq: chunk.seq[r] ?? 0,
            layout: symbol,
            excludedFeatures: [],
            values: Array.from(row, Math.fround),
            label19: file.label19,
            producedAt: 0,
          };
        }
      }
    }
  }

  return {
    kind: 'csv',
    path: dirname(first.path),
    layout,
    bytes: sizes.reduce((sum, s) => sum + s.size, 0),
    records,
    close: () => Promise.resolve(),
  };
}
