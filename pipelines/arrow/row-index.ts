import type { FlowRowIndex } from '../../schemas/flow-batch.js';
import type { FlowFile } from './flow-reader.js';

/**
 * Reads the per-row metadata of a whole split (capture, sequence number, labels) without
 * keeping its features: 10 bytes a row, what splitting and balancing need.
 */
export async function readRowIndex(file: FlowFile): Promise<FlowRowIndex> {
  const rows = file.info.rows;
  const index = {
    rows,
    capture: new Int32Array(rows),
    seq: new Uint32Array(rows),
    label19: new Uint8Array(rows),
    label6: new Uint8Array(rows),
    label2: new Uint8Array(rows),
  };

  let offset = 0;
  for await (const batch of file.batches()) {
    index.capture.set(batch.capture, offset);
    index.seq.set(batch.seq, offset);
    index.label19.set(batch.label19, offset);
    index.label6.set(batch.label6, offset);
    index.label2.set(batch.label2, offset);
    offset += batch.rows;
  }
  return index;
}
