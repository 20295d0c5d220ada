import { openFlowFile } from '../../pipelines/arrow/flow-reader.js';
import { LABEL_CLASSES } from '../../pipelines/arrow/flow-schema.js';
import type { RawFlowRecord } from '../../schemas/avro/messages.js';
import { layoutSymbol } from '../../schemas/avro/names.js';
import type { ReplaySource } from './replay-source.js';

/**
 * An Arrow flow file as a replay source: its rows in file order, with the capture, seq and
 * 19-class label the ingest stored, and the features it left out named as excluded.
 */
export async function openArrowSource(path: string): Promise<ReplaySource> {
  const file = await openFlowFile(path);
  const { captures, layout } = file.info;
  const symbol = layoutSymbol(layout);
  const excluded = [...file.metadata.excludedFeatures];

  async function* records(): AsyncGenerator<RawFlowRecord, void, undefined> {
    for await (const batch of file.batches()) {
      for (let r = 0; r < batch.rows; r++) {
        yield {
          capture: captures[batch.capture[r] ?? 0] ?? '',
          seq: batch.seq[r] ?? 0,
          layout: symbol,
          excludedFeatures: excluded,
          values: batch.columns.map((c) => c[r] ?? 0),
          label19: LABEL_CLASSES.label19[batch.label19[r] ?? 0] ?? null,
          producedAt: 0,
        };
      }
    }
  }

  return {
    kind: 'arrow',
    path,
    layout,
    rows: file.info.rows,
    records,
    close: () => file.close(),
  };
}
