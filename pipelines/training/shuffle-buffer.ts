import type { WindowBatch } from '../features/window-batches.js';
import { deriveSeed, Random } from '../features/random.js';

export interface ShuffleBufferOptions {
  seed: number;
  epoch: number;
  /** Records gathered before they are shuffled and handed out; default 16,384. */
  bufferRows?: number;
  /** Records per mini-batch; default 64. */
  batchSize: number;
}

/** A mini-batch: records, windows and labels of `rows` samples. */
export interface MiniBatch {
  rows: number;
  records: Float32Array;
  windows: Float32Array;
  labels: Uint8Array;
}

function gather(parts: readonly WindowBatch[], order: Uint32Array, from: number, to: number) {
  const first = parts[0] as WindowBatch;
  const recordWidth = first.records.length / first.rows;
  const windowWidth = first.windows.length / first.rows;
  const n = to - from;
  const out: MiniBatch = {
    rows: n,
    records: new Float32Array(n * recordWidth),
    windows: new Float32Array(n * windowWidth),
    labels: new Uint8Array(n),
  };
  // `order` indexes the parts' rows concatenated; find each one's part by its offset.
  const starts: number[] = [];
  let sum = 0;
  for (const part of parts) {
    starts.push(sum);
    sum += part.rows;
  }
  for (let i = 0; i < n; i++) {
    const global = order[from + i] ?? 0;
    let p = starts.length - 1;
    while ((starts[p] ?? 0) > global) p--;
    const part = parts[p] as WindowBatch;
    const local = global - (starts[p] ?? 0);
    out.records.set(
      part.records.subarray(local * recordWidth, (local + 1) * recordWidth),
      i * recordWidth,
    );
    out.windows.set(
      part.windows.subarray(local * windowWidth, (local + 1) * windowWidth),
      i * windowWidth,
    );
    out.labels[i] = part.labels[local] ?? 0;
  }
  return out;
}

/**
 * Shuffles a stream of windowed records within a bounded buffer and cuts it into mini-batches.
 * The permutation depends only on the seed and the epoch, so an epoch is reproducible.
 */
export async function* shuffledMiniBatches(
  stream: AsyncIterable<WindowBatch>,
  options: ShuffleBufferOptions,
): AsyncGenerator<MiniBatch, void, undefined> {
  const random = new Random(deriveSeed(options.seed, 'minibatches', options.epoch));
  const bufferRows = options.bufferRows ?? 16_384;
  let parts: WindowBatch[] = [];
  let held = 0;

  const drain = function* (): Generator<MiniBatch> {
    const order = random.shuffle(Uint32Array.from({ length: held }, (_, i) => i));
    for (let from = 0; from < held; from += options.batchSize) {
      yield gather(parts, order, from, Math.min(held, from + options.batchSize));
    }
    parts = [];
    held = 0;
  };

  for await (const batch of stream) {
    parts.push(batch);
    held += batch.rows;
    if (held >= bufferRows) yield* drain();
  }
  if (held > 0) yield* drain();
}
