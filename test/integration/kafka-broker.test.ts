import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type { TestContext } from 'node:test';

import { Kafka, logLevel, Partitioners } from 'kafkajs';
import type { Admin, Consumer, ConsumerConfig, KafkaMessage, Producer } from 'kafkajs';

import {
  kafkaConfig as config,
  probeKafka,
  readUntil as readUntilShared,
  skipWithoutBroker,
} from '../helpers/kafka.js';

// Runs against the broker of infra/kafka/start.sh (or IOMT_KAFKA_BROKERS). Without one the
// tests skip, unless IOMT_REQUIRE_KAFKA is set (as CI does), when they fail instead.

const TEST_TIMEOUT_MS = 90_000;

function client(): Kafka {
  return new Kafka({
    brokers: [...config.brokers],
    clientId: config.clientId,
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    // kafkajs logs errors it retries as ERROR (CONCURRENT_TRANSACTIONS after most commits);
    // KAFKAJS_LOG_LEVEL=info (read by kafkajs itself) shows them when a test needs debugging.
    logLevel: logLevel.NOTHING,
  });
}

/** True when the broker answers; otherwise skips the test, or fails it when one is required. */
async function brokerOrSkip(t: TestContext): Promise<boolean> {
  return !skipWithoutBroker(t, await probeKafka());
}

function uniqueName(kind: string): string {
  return `iomt-test-${kind}-${randomBytes(6).toString('hex')}`;
}

// Clients and topics are recorded as they are made and all cleaned up once, at the end, so that
// a failing assertion still leaves nothing behind on the broker.
const kafka = client();
const connected: { disconnect(): Promise<void> }[] = [];
const topics: string[] = [];
const groups: string[] = [];
let sharedAdmin: Admin | undefined;

async function admin(): Promise<Admin> {
  if (!sharedAdmin) {
    sharedAdmin = kafka.admin();
    await sharedAdmin.connect();
  }
  return sharedAdmin;
}

async function createTopic(kind: string, partitions = 3): Promise<string> {
  const topic = uniqueName(kind);
  topics.push(topic);
  const broker = await admin();
  const created = await broker.createTopics({
    topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  assert.equal(created, true, `topic ${topic} was not created`);
  return topic;
}

async function producer(options: Parameters<Kafka['producer']>[0] = {}): Promise<Producer> {
  // The partitioner kafkajs 2 uses by default, named so that it does not warn about it.
  const made = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...options });
  await made.connect();
  connected.push(made);
  return made;
}

function newGroupId(): string {
  const groupId = uniqueName('group');
  groups.push(groupId);
  return groupId;
}

async function consumer(
  options: Partial<ConsumerConfig> = {},
  groupId = newGroupId(),
): Promise<Consumer> {
  // A short fetch wait: the readers below stop as soon as they have what they wait for.
  const made = kafka.consumer({ groupId, maxWaitTimeInMs: 500, ...options });
  await made.connect();
  connected.push(made);
  return made;
}

interface Received {
  partition: number;
  offset: number;
  key: string;
  value: string;
}

function received(partition: number, message: KafkaMessage): Received {
  return {
    partition,
    offset: Number(message.offset),
    key: message.key?.toString() ?? '',
    value: message.value?.toString() ?? '',
  };
}

/** `readUntil` of the shared helper, each message as `Received`, within 30 s. */
function readUntil(
  reader: Consumer,
  topic: string,
  done: (messages: readonly Received[]) => boolean,
): Promise<Received[]> {
  return readUntilShared(reader, topic, done, 30_000, (message, partition) =>
    received(partition, message),
  );
}

function byPartition(messages: readonly Received[]): Map<number, Received[]> {
  const groupsOf = new Map<number, Received[]>();
  for (const message of messages) {
    const list = groupsOf.get(message.partition) ?? [];
    list.push(message);
    groupsOf.set(message.partition, list);
  }
  return groupsOf;
}

after(async () => {
  for (const made of connected.reverse()) await made.disconnect().catch(() => undefined);
  if (!sharedAdmin) return;

  if (topics.length > 0) await sharedAdmin.deleteTopics({ topics }).catch(() => undefined);
  if (groups.length > 0) await sharedAdmin.deleteGroups(groups).catch(() => undefined);
  await sharedAdmin.disconnect();
});

describe('a Kafka broker through kafkajs', { timeout: 4 * TEST_TIMEOUT_MS }, () => {
  it('creates a topic with three partitions', { timeout: TEST_TIMEOUT_MS }, async (t) => {
    if (!(await brokerOrSkip(t))) return;

    const topic = await createTopic('partitions');

    const { topics: described } = await (await admin()).fetchTopicMetadata({ topics: [topic] });
    assert.equal(described.length, 1);
    assert.deepEqual(described[0]?.partitions.map((p) => p.partitionId).sort(), [0, 1, 2]);
  });

  it(
    'delivers keyed messages to a consumer group, in order per key',
    {
      timeout: TEST_TIMEOUT_MS,
    },
    async (t) => {
      if (!(await brokerOrSkip(t))) return;

      const topic = await createTopic('keyed');
      const keys = ['capture-a', 'capture-b', 'capture-c', 'capture-d', 'capture-e', 'capture-f'];
      const sent = Array.from({ length: 60 }, (_, i) => ({
        key: keys[i % keys.length] ?? '',
        value: JSON.stringify({ seq: Math.floor(i / keys.length) }),
      }));
      const writer = await producer({ idempotent: true, maxInFlightRequests: 1 });
      await writer.send({ topic, acks: -1, messages: sent });

      const messages = await readUntil(await consumer(), topic, (got) => got.length >= sent.length);

      assert.equal(messages.length, sent.length);
      for (const key of keys) {
        const ofKey = messages.filter((m) => m.key === key);
        assert.equal(new Set(ofKey.map((m) => m.partition)).size, 1, `${key} on one partition`);
        const order = ofKey.map((m) => (JSON.parse(m.value) as { seq: number }).seq);
        assert.deepEqual(
          order,
          [...order].sort((a, b) => a - b),
          `${key} in order`,
        );
      }
    },
  );

  it(
    'commits a consume-transform-produce transaction and hides an aborted one',
    {
      timeout: TEST_TIMEOUT_MS,
    },
    async (t) => {
      if (!(await brokerOrSkip(t))) return;

      const input = await createTopic('txn-in');
      const output = await createTopic('txn-out');
      const count = 30;
      const writer = await producer();
      await writer.send({
        topic: input,
        acks: -1,
        messages: Array.from({ length: count }, (_, i) => ({
          key: `device-${i % 5}`,
          value: String(i),
        })),
      });

      // Consume, transform and produce in one transaction per batch, with the consumed offsets
      // committed by the transaction rather than by the consumer.
      const transactional = await producer({
        transactionalId: uniqueName('txn'),
        idempotent: true,
        maxInFlightRequests: 1,
      });
      const stageGroup = newGroupId();
      const stage = await consumer({ readUncommitted: false }, stageGroup);
      await stage.subscribe({ topics: [input], fromBeginning: true });
      let processed = 0;
      let finish: () => void = () => undefined;
      const allProcessed = new Promise<void>((resolve) => (finish = resolve));
      await stage.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          if (batch.isEmpty()) return;
          const transaction = await transactional.transaction();
          try {
            await transaction.send({
              topic: output,
              messages: batch.messages.map((m) => ({
                key: m.key,
                value: `scored:${m.value?.toString() ?? ''}`,
              })),
            });
            const next = String(Number(batch.lastOffset()) + 1);
            await transaction.sendOffsets({
              consumerGroupId: stageGroup,
              topics: [
                { topic: input, partitions: [{ partition: batch.partition, offset: next }] },
              ],
            });
            await transaction.commit();
          } catch (error) {
            await transaction.abort();
            throw error;
          }
          processed += batch.messages.length;
          if (processed >= count) finish();
        },
      });
      await allProcessed;
      await stage.stop();

      // The transaction, not the consumer, committed the group's offsets: up to the end of each
      // partition that got records (one that got none has no committed offset, -1).
      const broker = await admin();
      const committed = await broker.fetchOffsets({ groupId: stageGroup, topics: [input] });
      const ends = await broker.fetchTopicOffsets(input);
      assert.deepEqual(
        committed[0]?.partitions.map((p) => [p.partition, p.offset]).sort(),
        ends.map((p) => [p.partition, p.high === '0' ? '-1' : p.high]).sort(),
      );

      // An aborted transaction on every partition, then a committed end marker on every partition,
      // so that a reader knows it has passed the aborted records.
      const aborted = await transactional.transaction();
      await aborted.send({
        topic: output,
        messages: [0, 1, 2].map((partition) => ({ partition, key: 'x', value: 'aborted' })),
      });
      await aborted.abort();
      const last = await transactional.transaction();
      await last.send({
        topic: output,
        messages: [0, 1, 2].map((partition) => ({ partition, key: 'end', value: 'end' })),
      });
      await last.commit();

      const endsSeen = (got: readonly Received[]): boolean =>
        got.filter((m) => m.value === 'end').length === 3;
      const readCommitted = await readUntil(
        await consumer({ readUncommitted: false }),
        output,
        endsSeen,
      );
      const scored = readCommitted.filter((m) => m.value.startsWith('scored:'));
      assert.deepEqual(
        scored.map((m) => Number(m.value.slice('scored:'.length))).sort((a, b) => a - b),
        Array.from({ length: count }, (_, i) => i),
      );
      assert.equal(readCommitted.filter((m) => m.value === 'aborted').length, 0);
      assert.equal(readCommitted.length, count + 3);
      for (const [partition, list] of byPartition(readCommitted)) {
        assert.equal(list[list.length - 1]?.value, 'end', `partition ${partition} ends with end`);
      }

      // The aborted records are in the log all the same: a read-uncommitted reader sees them.
      const readAll = await readUntil(await consumer({ readUncommitted: true }), output, endsSeen);
      assert.equal(readAll.filter((m) => m.value === 'aborted').length, 3);
    },
  );
});
