import { randomUUID } from 'node:crypto';

import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';

import type { FlowWindow } from '../../schemas/avro/messages.js';
import type { AvroRegistry } from '../../schemas/avro/registry.js';
import { IomtError } from '../../schemas/errors.js';

/** Where the window stage reads its state back from after a restart or a rebalance. */
export interface WindowRestoreOptions {
  kafka: Kafka;
  registry: AvroRegistry;
  /** The windows topic: the stage's own output. */
  topic: string;
  logger: Logger;
  /** Offsets per partition read back at most, counted from the high watermark. Default 10000. */
  lookBack?: number;
  /** How long one read back may take before it fails (and is tried again). Default 20000 ms. */
  timeoutMs?: number;
}

/**
 * The newest committed window of each capture on `partitions` of the windows topic, read
 * read-committed from at most `lookBack` offsets before each partition's high watermark.
 *
 * Partition index p of the windows topic holds the windows of exactly the captures of
 * partition p of the scaled topic: both are keyed by capture, written with kafkajs's default
 * partitioner (murmur2 of the key modulo the partition count) and created with the same
 * partition count by `createTopics`. Topics with different partition counts break this.
 *
 * A capture whose newest window is older than the look-back is not found and starts afresh.
 */
export async function readNewestWindows(
  options: WindowRestoreOptions,
  partitions: readonly number[],
): Promise<Map<string, FlowWindow>> {
  const { kafka, registry, topic } = options;
  const lookBack = options.lookBack ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const newest = new Map<string, FlowWindow>();
  const groupId = `iomt-window-restore-${randomUUID()}`;

  const admin = kafka.admin();
  await admin.connect();
  try {
    // The high watermark counts transaction markers too; a read-committed consumer passes
    // them (a batch of markers only still moves its position), so it reaches the watermark.
    const offsets = await admin.fetchTopicOffsets(topic);
    const wanted = new Set(partitions);
    const start = new Map<number, number>();
    const high = new Map<number, number>();
    for (const entry of offsets) {
      const end = Number(entry.high);
      const from = Math.max(Number(entry.low), end - lookBack);
      if (!wanted.has(entry.partition) || from >= end) continue;
      start.set(entry.partition, from);
      high.set(entry.partition, end);
    }
    if (start.size === 0) return newest;

    // A new group with committed offsets starts exactly where asked, with no seek race; the
    // partitions not wanted start at their end.
    await admin.setOffsets({
      groupId,
      topic,
      partitions: offsets.map((entry) => ({
        partition: entry.partition,
        offset: String(start.get(entry.partition) ?? entry.high),
      })),
    });
    await readUntilEnd(options, groupId, start, high, newest, timeoutMs);
    options.logger.info({ topic, partitions, captures: newest.size, groupId }, 'windows read back');
    return newest;
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }

  async function readUntilEnd(
    opts: WindowRestoreOptions,
    group: string,
    start: Map<number, number>,
    high: Map<number, number>,
    into: Map<string, FlowWindow>,
    limitMs: number,
  ): Promise<void> {
    const position = new Map(start);
    const reached = () => [...high].every(([p, end]) => (position.get(p) ?? 0) >= end);
    const consumer = opts.kafka.consumer({
      groupId: group,
      readUncommitted: false,
      maxWaitTimeInMs: 100,
    });
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      const { partition, firstOffset, lastOffset } = event.payload;
      const at = position.get(partition);
      if (at === undefined || firstOffset === null || Number(firstOffset) > at) return;
      position.set(partition, Math.max(at, Number(lastOffset) + 1));
      if (reached()) finish();
    });

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), limitMs);
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: false });
      await consumer.run({
        eachBatch: ({ batch }) => {
          const end = high.get(batch.partition);
          if (end === undefined) return Promise.resolve();
          for (const message of batch.messages) {
            if (Number(message.offset) >= end || !message.value) continue;
            const decoded = registry.decodeAs('FlowWindow', message.value);
            if (!decoded.ok) continue;
            const window = decoded.value;
            const held = into.get(window.capture);
            if (!held || held.seq < window.seq) into.set(window.capture, window);
          }
          return Promise.resolve();
        },
      });
      const outcome = await Promise.race([finished, timedOut]);
      if (outcome === 'timeout') {
        throw new IomtError({
          code: 'IO',
          retriable: true,
          message: `windows of ${topic} not read back within ${limitMs} ms`,
          context: { topic, positions: Object.fromEntries(position) },
        });
      }
    } finally {
      clearTimeout(timer);
      await consumer.disconnect();
    }
  }
}
