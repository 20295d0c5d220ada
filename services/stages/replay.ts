import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Kafka, Message } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import type { Logger } from 'pino';

import { openFlowFile } from '../../pipelines/arrow/flow-reader.js';
import { LABEL_CLASSES } from '../../pipelines/arrow/flow-schema.js';
import type { RawFlowRecord } from '../../schemas/avro/messages.js';
import { layoutSymbol } from '../../schemas/avro/names.js';
import type { AvroRegistry } from '../../schemas/avro/registry.js';
import { InvalidOptionError } from '../../schemas/errors.js';

/** What to replay, where, and how fast. */
export interface ReplayOptions {
  kafka: Kafka;
  registry: AvroRegistry;
  logger: Logger;
  /** Folder with `test.arrow` (as `iomt ingest` writes it), or an Arrow flow file. */
  data: string;
  /** The raw flow records' topic. */
  topic: string;
  /** Records per second at most; default 0, as fast as the broker takes them. */
  rate?: number;
  /** Records to replay at most, from the file's start; default every record. */
  limit?: number;
  /** Records per produce request. Default 500. */
  batchSize?: number;
}

/** What a replay did. */
export interface ReplaySummary {
  records: number;
  seconds: number;
}

/**
 * Replays an Arrow flow file into the raw topic as raw flow records, in file order, keyed by
 * capture so that each capture's records stay in order on one partition. The producer is
 * idempotent: a retried request does not write a record twice.
 */
export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  const rate = options.rate ?? 0;
  const limit = options.limit ?? Infinity;
  const batchSize = options.batchSize ?? 500;
  if (!(rate >= 0)) throw new InvalidOptionError('rate', `must be 0 or more, got ${rate}`);
  if (!(limit >= 0)) throw new InvalidOptionError('limit', `must be 0 or more, got ${limit}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidOptionError('batchSize', `must be a positive integer, got ${batchSize}`);
  }

  const path = options.data.endsWith('.arrow') ? options.data : join(options.data, 'test.arrow');
  const file = await openFlowFile(path);
  const producer = options.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const logger = options.logger.child({ stage: 'replay', topic: options.topic });
  const layout = layoutSymbol(file.info.layout);
  const excluded = [...file.metadata.excludedFeatures];

  let records = 0;
  let pending: Message[] = [];
  const t0 = performance.now();
  const flush = async () => {
    if (pending.length === 0) return;
    await producer.send({ topic: options.topic, acks: -1, messages: pending });
    records += pending.length;
    pending = [];
    if (rate > 0) {
      const ahead = (records / rate) * 1000 - (performance.now() - t0);
      if (ahead > 0) await sleep(ahead);
    }
  };

  try {
    await producer.connect();
    outer: for await (const batch of file.batches()) {
      for (let r = 0; r < batch.rows; r++) {
        if (records + pending.length >= limit) break outer;
        const capture = file.info.captures[batch.capture[r] ?? 0] ?? '';
        const record: RawFlowRecord = {
          capture,
          seq: batch.seq[r] ?? 0,
          layout,
          excludedFeatures: excluded,
          values: batch.columns.map((c) => c[r] ?? 0),
          label19: LABEL_CLASSES.label19[batch.label19[r] ?? 0] ?? null,
          producedAt: Date.now(),
        };
        pending.push({ key: capture, value: options.registry.encode('RawFlowRecord', record) });
        if (pending.length >= (rate > 0 ? Math.min(batchSize, Math.ceil(rate)) : batchSize)) {
          await flush();
        }
      }
    }
    await flush();
  } finally {
    await producer.disconnect();
    await file.close();
  }

  const seconds = (performance.now() - t0) / 1000;
  logger.info({ records, seconds }, 'replayed');
  return { records, seconds };
}
