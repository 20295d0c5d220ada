import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import kafkajs from 'kafkajs';
import type { Admin, Kafka, Producer, ProducerConfig } from 'kafkajs';
import { pino } from 'pino';

import { loadBundle } from '../../pipelines/models/bundle.js';
import { loadAvroRegistry } from '../../schemas/avro/registry.js';
import type { AvroRegistry } from '../../schemas/avro/registry.js';
import { createKafkaClient } from '../../services/runtime/kafka-client.js';
import { StageRunner } from '../../services/runtime/stage-runner.js';
import { createTopics, resolveTopicNames, topicList } from '../../services/runtime/topics.js';
import { preprocessHandler } from '../../services/stages/preprocess-service.js';
import { replay } from '../../services/stages/replay.js';
import { assertExactlyOnce, readDelivered } from '../helpers/delivered.js';
import { kafkaConfig as config, probeKafka, skipWithoutBroker } from '../helpers/kafka.js';
import { tinyBundle } from '../helpers/tiny-bundle.js';

// A broker that goes away between a transaction's commit and its abort leaves kafkajs's
// producer in COMMITTING for good: every later transaction of it is refused, reconnected or
// not. The stage runner must replace such a producer rather than stop consuming, and must not
// process the chunk again when the commit had in fact reached the broker (only its answer was
// lost). The outage is injected (a real one must outlast the producer's retries, a minute or
// more); the broker of infra/kafka/start.sh does the rest.

// kafkajs is CommonJS; Node finds no named export for its error classes.
const { KafkaJSConnectionError, KafkaJSNonRetriableError } = kafkajs;

const REPLAYED = 120;
const READ_TIMEOUT_MS = 60_000;

/** What the broker did with the transaction whose commit reported a failure. */
type Outcome = 'aborted' | 'committed';

/**
 * `kafka`, whose first transactional producer fails its first commit and abort as when the
 * broker is gone, then refuses every transaction as kafkajs does (retriable: false). With
 * `committed`, the broker took the commit before the connection broke.
 */
function cutOnce(kafka: Kafka, outcome: Outcome): Kafka {
  let cut = false;
  const cutProducer = (config?: ProducerConfig): Producer => {
    const real = kafka.producer(config);
    if (config?.transactionalId === undefined || cut) return real;
    cut = true;
    let stuck = false;
    return {
      ...real,
      transaction: async () => {
        if (stuck) {
          throw new KafkaJSNonRetriableError(
            'Transaction state exception: Cannot call "beginTransaction" in state "COMMITTING"',
          );
        }
        const transaction = await real.transaction();
        return {
          ...transaction,
          commit: async () => {
            stuck = true;
            if (outcome === 'committed') await transaction.commit();
            else await transaction.abort();
            throw new KafkaJSConnectionError('Connection error: connect ECONNREFUSED');
          },
          abort: () =>
            Promise.reject(new KafkaJSNonRetriableError('Cannot continue to use transaction')),
        };
      },
    };
  };
  const wrapped = Object.create(kafka) as Kafka;
  wrapped.producer = cutProducer;
  return wrapped;
}

for (const outcome of ['aborted', 'committed'] as const) {
  const title = `a stage runner whose transaction did not end (${outcome} on the broker)`;
  describe(title, { timeout: 120_000 }, () => {
    const run = randomBytes(6).toString('hex');
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const kafka = createKafkaClient(config, pino({ level: 'silent' }));
    const topics = resolveTopicNames({ prefix: `iomt-test-${run}.` });
    const groups = [`iomt-test-${run}-preprocess`, `iomt-test-${run}-reader`];
    let problem: string | undefined;
    let admin: Admin | undefined;
    let registry: AvroRegistry;
    let runner: StageRunner<'RawFlowRecord', 'ScaledFlowRecord'> | undefined;
    let tiny: Awaited<ReturnType<typeof tinyBundle>> | undefined;

    before(async () => {
      problem = await probeKafka();
      if (problem !== undefined) return;

      tiny = await tinyBundle({ prefix: 'unfinished-transaction-kafka' });
      registry = await loadAvroRegistry();
      admin = kafka.admin();
      await admin.connect();
      await createTopics(admin, topics, { partitions: 3 });
    });

    after(async () => {
      await runner?.stop().catch(() => undefined);
      if (admin) {
        await admin.deleteTopics({ topics: topicList(topics) }).catch(() => undefined);
        await admin.deleteGroups(groups).catch(() => undefined);
        await admin.disconnect();
      }
      await tiny?.cleanup();
    });

    it('replaces the producer and goes on, every record written once', async (t) => {
      if (skipWithoutBroker(t, problem)) return;
      const { bundle, data } = tiny as NonNullable<typeof tiny>;

      runner = new StageRunner({
        kafka: cutOnce(kafka, outcome),
        registry,
        logger,
        handler: preprocessHandler(await loadBundle(bundle)),
        inputTopic: topics.raw,
        outputTopic: topics.scaled,
        deadLetterTopic: topics.deadLetter,
        groupId: groups[0],
        chunkSize: 20,
      });
      await runner.start();
      const silent = pino({ level: 'silent' });
      await replay({ kafka, registry, logger: silent, data, topic: topics.raw, limit: REPLAYED });

      const delivered = await readDelivered({
        kafka,
        registry,
        topic: topics.scaled,
        schema: 'ScaledFlowRecord',
        groupId: groups[1] as string,
        count: REPLAYED,
        timeoutMs: READ_TIMEOUT_MS,
      });
      const said = lines.map((line) => String(line.msg));
      assertExactlyOnce(delivered, REPLAYED, () => said.join('; '));
      assert.ok(said.includes('abort failed; replacing the producer'), said.join('; '));
      assert.ok(said.includes('producer replaced'), said.join('; '));
      assert.ok(runner.counts.aborted >= 1, 'the cut chunk failed');
      if (outcome === 'committed') {
        assert.ok(
          said.some((m) => m.startsWith('a chunk that failed had been committed')),
          said.join('; '),
        );
      }
    });
  });
}
