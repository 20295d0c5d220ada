import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Partitioners } from 'kafkajs';
import type { Admin } from 'kafkajs';
import { pino } from 'pino';

import { loadBundle } from '../../pipelines/models/bundle.js';
import { createScorer } from '../../pipelines/models/bundle-runner.js';
import type { Scorer } from '../../pipelines/models/scorer.js';
import type { SchemaName } from '../../schemas/avro/messages.js';
import { loadAvroRegistry } from '../../schemas/avro/registry.js';
import type { AvroRegistry } from '../../schemas/avro/registry.js';
import { createKafkaClient } from '../../services/runtime/kafka-client.js';
import { StageRunner } from '../../services/runtime/stage-runner.js';
import type { OutputSchema, StageHandler, Stoppable } from '../../services/runtime/stage-runner.js';
import { createTopics, resolveTopicNames, topicList } from '../../services/runtime/topics.js';
import type { TopicNames } from '../../services/runtime/topics.js';
import { preprocessHandler } from '../../services/stages/preprocess-service.js';
import { replay } from '../../services/stages/replay.js';
import { scoreHandler } from '../../services/stages/score-service.js';
import { windowHandler } from '../../services/stages/window-service.js';
import {
  kafkaConfig as config,
  probeKafka,
  skipWithoutBroker,
  readUntil,
} from '../helpers/kafka.js';
import { offlinePredictions } from '../helpers/offline-predictions.js';
import { tinyBundle } from '../helpers/tiny-bundle.js';

// The three stage services in one process against the broker of infra/kafka/start.sh (or
// IOMT_KAFKA_BROKERS). Without one the test skips, unless IOMT_REQUIRE_KAFKA is set.

const READ_TIMEOUT_MS = 60_000;
const REPLAYED = 600;

const logger = pino({ level: process.env.IOMT_LOG_LEVEL ?? 'silent' });

/**
 * `handler`, except that its `call`-th `process` fails after the stage has done its work: the
 * runner must undo the stage's state and process the chunk again when it is redelivered.
 */
function failingOnce<I extends SchemaName, O extends OutputSchema>(
  handler: StageHandler<I, O>,
  call: number,
): StageHandler<I, O> {
  let calls = 0;
  return {
    ...handler,
    process: async (values) => {
      const outcomes = await handler.process(values);
      if (++calls === call) throw new Error('injected failure');
      return outcomes;
    },
  };
}

describe('the stage services on a real broker', { timeout: 240_000 }, () => {
  const run = randomBytes(6).toString('hex');
  const kafka = createKafkaClient(config, logger);
  const groups: string[] = [];
  const connected: Stoppable[] = [];
  let problem: string | undefined;
  let admin: Admin | undefined;
  let topics: TopicNames;
  let registry: AvroRegistry;
  let scorer: Scorer | undefined;
  let dir = '';
  let cleanup = async () => {};

  const group = (stage: string) => {
    const id = `iomt-test-${run}-${stage}`;
    groups.push(id);
    return id;
  };

  before(async () => {
    problem = await probeKafka();
    if (problem !== undefined) return;

    ({ dir, cleanup } = await tinyBundle({ prefix: 'pipeline-kafka' }));

    registry = await loadAvroRegistry();
    admin = kafka.admin();
    await admin.connect();
    topics = resolveTopicNames({ prefix: `iomt-test-${run}.` });
    const created = await createTopics(admin, topics, { partitions: 3 });
    assert.equal(created.length, 5);
    assert.deepEqual(await createTopics(admin, topics, { partitions: 3 }), [], 'idempotent');
  });

  after(async () => {
    for (const made of connected.reverse()) await made.stop().catch(() => undefined);
    await scorer?.dispose();
    if (admin) {
      await admin.deleteTopics({ topics: topicList(topics) }).catch(() => undefined);
      await admin.deleteGroups(groups).catch(() => undefined);
      await admin.disconnect();
    }
    await cleanup();
  });

  it(
    'scores each replayed record exactly once, as offline evaluation does, and dead-letters ' +
      'garbage with its original bytes',
    { timeout: 180_000 },
    async (t) => {
      if (skipWithoutBroker(t, problem)) return;
      const bundleDir = join(dir, 'bundle');
      const data = join(dir, 'arrow');
      const bundle = await loadBundle(bundleDir);
      scorer = await createScorer(bundle, { engine: 'onnx', logger });

      const common = { kafka, registry, logger, deadLetterTopic: topics.deadLetter };
      const runners = [
        new StageRunner({
          ...common,
          handler: preprocessHandler(bundle),
          inputTopic: topics.raw,
          outputTopic: topics.scaled,
          groupId: group('preprocess'),
        }),
        new StageRunner({
          ...common,
          handler: failingOnce(windowHandler(bundle), 2),
          inputTopic: topics.scaled,
          outputTopic: topics.windows,
          groupId: group('window'),
          chunkSize: 100,
        }),
        new StageRunner({
          ...common,
          handler: scoreHandler(bundle, scorer, { microBatch: 128 }),
          inputTopic: topics.windows,
          outputTopic: topics.scores,
          groupId: group('score'),
          chunkSize: 200,
        }),
      ];
      for (const runner of runners) {
        connected.push(runner);
        await runner.start();
      }

      const garbage = Buffer.from('not an Avro message');
      const writer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await writer.connect();
      await writer.send({
        topic: topics.raw,
        acks: -1,
        messages: [{ key: 'junk', value: garbage }],
      });
      await writer.disconnect();

      const offline = await offlinePredictions({ bundle: bundleDir, data, out: join(dir, 'eval') });
      const expected = offline.predicted;
      const count = Math.min(REPLAYED, offline.records.length);
      const replayed = await replay({
        kafka,
        registry,
        logger,
        data,
        topic: topics.raw,
        limit: count,
      });
      assert.equal(replayed.records, count);

      const reader = kafka.consumer({ groupId: group('reader'), maxWaitTimeInMs: 200 });
      await reader.connect();
      connected.push({ stop: () => reader.disconnect() });
      const scored = await readUntil(
        reader,
        topics.scores,
        (got) => got.length >= count,
        READ_TIMEOUT_MS,
      );

      const events = scored.map((m) => {
        const decoded = registry.decodeAs('ScoredEvent', m.value ?? Buffer.alloc(0));
        assert.ok(decoded.ok, 'a scored event decodes');
        return decoded.value;
      });
      const keys = new Set(events.map((e) => `${e.capture}/${e.seq}`));
      assert.equal(events.length, count);
      assert.equal(keys.size, count, 'exactly one score per (capture, seq)');
      let differ = 0;
      for (const event of events) {
        const want = expected.get(`${event.capture}/${event.seq}`);
        assert.notEqual(want, undefined, `${event.capture}/${event.seq} is a test record`);
        if (event.predictedIndex !== want) differ++;
        assert.equal(event.modelVersion, bundle.version);
      }
      assert.equal(differ, 0, `${differ} of ${count} predictions differ from offline evaluation`);

      const dlReader = kafka.consumer({ groupId: group('dead-letter'), maxWaitTimeInMs: 200 });
      await dlReader.connect();
      connected.push({ stop: () => dlReader.disconnect() });
      const letters = await readUntil(
        dlReader,
        topics.deadLetter,
        (got) => got.length >= 1,
        READ_TIMEOUT_MS,
      );
      assert.equal(letters.length, 1);
      const letter = registry.decodeAs('DeadLetter', letters[0]?.value ?? Buffer.alloc(0));
      assert.ok(letter.ok, 'the dead letter decodes');
      const value = letter.value;
      assert.match(value.errorCode, /^AVRO_/);
      assert.ok(value.errorMessage.length > 0);
      assert.deepEqual(Buffer.from(value.value), garbage);
      assert.equal(value.key?.toString(), 'junk');
      assert.equal(value.topic, topics.raw);
      assert.equal(value.stage, 'preprocess');
      assert.equal(runners[0]?.counts.deadLettered, 1);
      assert.equal(runners[1]?.counts.aborted, 1, 'the injected failure aborted one chunk');
    },
  );
});
