import type { FlowBatch } from '../../schemas/flow-batch.js';

/** The rows of `batch` at `indices`, in that order (repeats allowed). */
export function takeRows(batch: FlowBatch, indices: ArrayLike<number>): FlowBatch {
  const n = indices.length;
  const gather = <T extends Float32Array | Int32Array | Uint32Array | Uint8Array>(
    source: T,
    target: T,
  ): T => {
    for (let i = 0; i < n; i++) target[i] = source[indices[i] ?? 0] ?? 0;
    return target;
  };
  return {
    rows: n,
    columns: batch.columns.map((c) => gather(c, new Float32Array(n))),
    capture: gather(batch.capture, new Int32Array(n)),
    seq: gather(batch.seq, new Uint32Array(n)),
    label19: gather(batch.label19, new Uint8Array(n)),
    label6: gather(batch.label6, new Uint8Array(n)),
    label2: gather(batch.label2, new Uint8Array(n)),
  };
}

/** One batch holding the rows of `batches` one after another. */
export function concatBatches(batches: readonly FlowBatch[], features: number): FlowBatch {
  const rows = batches.reduce((sum, b) => sum + b.rows, 0);
  const join = <T extends Float32Array | Int32Array | Uint32Array | Uint8Array>(
    target: T,
    pick: (b: FlowBatch) => T,
  ): T => {
    let offset = 0;
    for (const b of batches) {
      target.set(pick(b).subarray(0, b.rows), offset);
      offset += b.rows;
    }
    return target;
  };
  return {
    rows,
    columns: Array.from({ length: features }, (_, c) =>
      join(new Float32Array(rows), (b) => b.columns[c] as Float32Array),
    ),
    capture: join(new Int32Array(rows), (b) => b.capture),
    seq: join(new Uint32Array(rows), (b) => b.seq),
    label19: join(new Uint8Array(rows), (b) => b.label19),
    label6: join(new Uint8Array(rows), (b) => b.label6),
    label2: join(new Uint8Array(rows), (b) => b.label2),
  };
}
