import assert from 'node:assert/strict';

import type { Admin, Kafka } from 'kafkajs';

import type { AvroValues } from '../../schemas/avro/messages.js';
import type { AvroRegistry } from '../../schemas/avro/registry.js';
import type { OutputSchema } from '../../services/runtime/stage-runner.js';

/** Where and what `readDelivered` reads. */
export interface ReadDeliveredOptions<S extends OutputSchema> {
  kafka: Kafka;
  registry: AvroRegistry;
  topic: string;
  schema: S;
  /** A fresh consumer group; the caller deletes it. */
  groupId: string;
  /** Distinct (capture, seq) expected. */
  count: number;
  /** How long all of them may take to arrive. */
  timeoutMs: number;
  /** How long to go on reading after the last of them, for late duplicates. Default 2000 ms. */
  settleMs?: number;
}

/** What a topic held, read-committed. */
export interface Delivered<S extends OutputSchema> {
  /** Every value, duplicates included, in arrival order. */
  values: AvroValues[S][];
  /** Distinct (capture, seq) among them. */
  distinct: number;
  /** Messages that did not decode as the schema. */
  undecodable: number;
}

/**
 * The sum of the high watermarks of `topic`: records and transaction markers, so a rough
 * measure of what a stage has written so far.
 */
export async function topicOffsets(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, entry) => sum + Number(entry.high), 0);
}

/** `capture/seq`, the identity of a flow record through every stage. */
export const recordKey = (value: { capture: string; seq: number }) =>
  `${value.capture}/${value.seq}`;

/**
 * Reads `topic` from its beginning, read-committed, until `count` distinct (capture, seq) have
 * arrived or `timeoutMs` passed, then `settleMs` longer: a duplicate written after the last
 * original is counted too. Answers what arrived; the caller asserts on it.
 */
export async function readDelivered<S extends OutputSchema>(
  options: ReadDeliveredOptions<S>,
): Promise<Delivered<S>> {
  const { registry, schema, count } = options;
  const delivered: Delivered<S> = { values: [], distinct: 0, undecodable: 0 };
  const keys = new Set<string>();
  let complete: () => void = () => undefined;
  const completed = new Promise<void>((resolve) => (complete = resolve));

  const reader = options.kafka.consumer({ groupId: options.groupId, maxWaitTimeInMs: 200 });
  await reader.connect();
  try {
    await reader.subscribe({ topics: [options.topic], fromBeginning: true });
    await reader.run({
      eachMessage: ({ message }) => {
        const decoded = registry.decodeAs(schema, message.value ?? Buffer.alloc(0));
        if (!decoded.ok) {
          delivered.undecodable++;
          return Promise.resolve();
        }
        delivered.values.push(decoded.value);
        keys.add(recordKey(decoded.value));
        delivered.distinct = keys.size;
        if (keys.size >= count) complete();
        return Promise.resolve();
      },
    });

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), options.timeoutMs);
    });
    const late = await Promise.race([completed.then(() => false), timedOut]);
    clearTimeout(timer);
    if (!late) await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 2_000));
    return delivered;
  } finally {
    await reader.disconnect();
  }
}

/** Asserts that `delivered` holds each of `count` records exactly once; `story` explains. */
export function assertExactlyOnce<S extends OutputSchema>(
  delivered: Delivered<S>,
  count: number,
  story: () => string,
): void {
  assert.equal(delivered.undecodable, 0, 'every message decodes');
  assert.equal(delivered.distinct, count, `every record arrives; ${story()}`);
  assert.equal(delivered.values.length, count, `no record twice; ${story()}`);
}
