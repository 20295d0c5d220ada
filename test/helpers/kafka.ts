import assert from 'node:assert/strict';

import { Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs';

import { resolveKafkaConfig } from '../../services/runtime/kafka-config.js';

// The broker of infra/kafka/start.sh (or IOMT_KAFKA_BROKERS) for the integration tests. Without
// one they skip, unless IOMT_REQUIRE_KAFKA is set (as CI does), when they fail instead.

export const kafkaConfig = resolveKafkaConfig({ clientId: 'iomt-test' });
const REQUIRED = Boolean(process.env.IOMT_REQUIRE_KAFKA);
const PROBE_MS = 5_000;

async function probe(): Promise<string | undefined> {
  // Its own silent client, with no retries: a missing broker is an answer here, not an error.
  const admin = new Kafka({
    brokers: [...kafkaConfig.brokers],
    clientId: kafkaConfig.clientId,
    connectionTimeout: Math.min(kafkaConfig.connectionTimeoutMs, PROBE_MS),
    // A listener that accepts but never answers would otherwise hold the process for the
    // default 30 s request timeout after the test has skipped.
    requestTimeout: PROBE_MS,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${PROBE_MS} ms`), PROBE_MS);
  });
  const answer = (async () => {
    await admin.connect();
    await admin.describeCluster();
    return undefined;
  })().catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => undefined);
  }
}

let probed: Promise<string | undefined> | undefined;

/** Why no broker answers at the configured address, or undefined when one does (asked once). */
export function probeKafka(): Promise<string | undefined> {
  probed ??= probe();
  return probed;
}

/**
 * True when `problem` (from probeKafka) says there is no broker, after skipping the test `t`;
 * fails it instead when IOMT_REQUIRE_KAFKA is set. False when the broker answered.
 */
export function skipWithoutBroker(
  t: { skip: (message: string) => void },
  problem: string | undefined,
): boolean {
  if (problem === undefined) return false;
  const where = kafkaConfig.brokers.join(',');
  if (REQUIRED) assert.fail(`no Kafka broker at ${where} (IOMT_REQUIRE_KAFKA is set): ${problem}`);
  t.skip(`no Kafka broker at ${where} (${problem}); run infra/kafka/start.sh`);
  return true;
}

/**
 * Reads `topic` from the beginning, read-committed or not as `reader` was made, until `done`
 * holds for what arrived (each message as `convert` makes it, the message itself by default),
 * then stops the reader; fails if that takes longer than `timeoutMs`.
 */
export async function readUntil<T = KafkaMessage>(
  reader: Consumer,
  topic: string,
  done: (messages: readonly T[]) => boolean,
  timeoutMs: number,
  convert: (message: KafkaMessage, partition: number) => T = (message) => message as T,
): Promise<T[]> {
  const messages: T[] = [];
  await reader.subscribe({ topics: [topic], fromBeginning: true });
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  await reader.run({
    eachMessage: ({ message, partition }) => {
      messages.push(convert(message, partition));
      if (done(messages)) finish();
      return Promise.resolve();
    },
  });

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([finished, timedOut]);
  clearTimeout(timer);
  await reader.stop();
  assert.notEqual(outcome, 'timeout', `read only ${messages.length} messages of ${topic}`);
  return messages;
}
