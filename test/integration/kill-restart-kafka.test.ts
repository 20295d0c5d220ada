import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import type { Admin } from 'kafkajs';
import { pino } from 'pino';

import { loadBundle, type LoadedBundle } from '../../pipelines/models/bundle.js';
import { createScorer } from '../../pipelines/models/bundle-runner.js';
import type { Scorer } from '../../pipelines/models/scorer.js';
import { loadAvroRegistry } from '../../schemas/avro/registry.js';
import type { AvroRegistry } from '../../schemas/avro/registry.js';
import { createKafkaClient } from '../../services/runtime/kafka-client.js';
import { StageRunner } from '../../services/runtime/stage-runner.js';
import type { Stoppable } from '../../services/runtime/stage-runner.js';
import { createTopics, resolveTopicNames, topicList } from '../../services/runtime/topics.js';
import type { TopicNames } from '../../services/runtime/topics.js';
import { preprocessHandler } from '../../services/stages/preprocess-service.js';
import { scoreHandler } from '../../services/stages/score-service.js';
import { windowHandler } from '../../services/stages/window-service.js';
import { replayInBackground } from '../helpers/background-replay.js';
import { assertExactlyOnce, readDelivered, recordKey, topicOffsets } from '../helpers/delivered.js';
import { kafkaConfig as config, probeKafka, skipWithoutBroker } from '../helpers/kafka.js';
import { offlinePredictions } from '../helpers/offline-predictions.js';
import { serveStage, type ServedStage } from '../helpers/served-stage.js';
import { tinyBundle } from '../helpers/tiny-bundle.js';

// Each stage service as a child process (`iomt serve <stage>`), SIGKILLed mid-replay and
// started again with the same instance id, the other two stages running in this process.
// The successor fences its predecessor's open transaction and resumes from the committed
// offsets (the window stage also rebuilds its state from the windows topic), so every record
// is scored exactly once and as offline evaluation scores it. The three stages run at once, on
// topics of their own, since each waits out its dead predecessor's group session. Needs the
// broker of infra/kafka/start.sh (or IOMT_KAFKA_BROKERS); skips without one unless
// IOMT_REQUIRE_KAFKA.

const STAGES = ['preprocess', 'window', 'score'] as const;
type StageName = (typeof STAGES)[number];

/** The input and output topic of each stage. */
const IO: Record<StageName, readonly [keyof TopicNames, keyof TopicNames]> = {
  preprocess: ['raw', 'scaled'],
  window: ['scaled', 'windows'],
  score: ['windows', 'scores'],
};

const READ_TIMEOUT_MS = 120_000;
const START_TIMEOUT_MS = 60_000;
const REPLAYED = 300;
const RATE = 50;
/** Offsets on the killed stage's output topic before the kill: its records are flowing. */
const KILL_AT_OFFSETS = 30;

const logger = pino({ level: process.env.IOMT_LOG_LEVEL ?? 'silent' });

interface Startable extends Stoppable {
  start(): Promise<void>;
}

describe(
  'each stage service killed and restarted on a real broker',
  { timeout: 300_000, concurrency: true },
  () => {
    const run = randomBytes(6).toString('hex');
    const kafka = createKafkaClient(config, logger);
    const groups: string[] = [];
    const topicsOf = new Map<StageName, TopicNames>();
    const connected: Stoppable[] = [];
    const children: ServedStage[] = [];
    const scorers: Scorer[] = [];
    let expected: ReadonlyMap<string, number> = new Map();
    let problem: string | undefined;
    let admin: Admin | undefined;
    let registry: AvroRegistry;
    let bundle: LoadedBundle;
    let bundleDir = '';
    let data = '';
    let count = 0;
    let cleanup = async () => {};

    const prefixOf = (stage: StageName) => `iomt-test-${run}-${stage}.`;
    const group = (name: string) => {
      const id = `iomt-test-${run}-${name}`;
      groups.push(id);
      return id;
    };

    before(async () => {
      problem = await probeKafka();
      if (problem !== undefined) return;

      const tiny = await tinyBundle({ prefix: 'kill-restart-kafka' });
      ({ cleanup, data, bundle: bundleDir } = tiny);
      bundle = await loadBundle(bundleDir);
      registry = await loadAvroRegistry();
      admin = kafka.admin();
      await admin.connect();
      // One after the other: kafkajs's admin does not wait for the leaders of topics created
      // at once.
      for (const stage of STAGES) {
        const topics = resolveTopicNames({ prefix: prefixOf(stage) });
        topicsOf.set(stage, topics);
        await createTopics(admin, topics, { partitions: 3 });
      }

      const offline = await offlinePredictions({
        bundle: bundleDir,
        data,
        out: join(tiny.dir, 'eval'),
      });
      expected = offline.predicted;
      count = Math.min(REPLAYED, offline.records.length);
    });

    after(async () => {
      for (const child of children) await child.stop();
      for (const runner of connected.reverse()) await runner.stop().catch(() => undefined);
      for (const scorer of scorers) await scorer.dispose();
      if (admin) {
        const topics = [...topicsOf.values()].flatMap(topicList);
        await admin.deleteTopics({ topics }).catch(() => undefined);
        await admin.deleteGroups(groups).catch(() => undefined);
        await admin.disconnect();
      }
      await cleanup();
    });

    /** `stage` as a stage runner in this process, on the topics of the test of `killed`. */
    async function inProcess(
      stage: StageName,
      killed: StageName,
      topics: TopicNames,
    ): Promise<Startable> {
      const [input, output] = IO[stage];
      const common = {
        kafka,
        registry,
        logger,
        deadLetterTopic: topics.deadLetter,
        inputTopic: topics[input],
        outputTopic: topics[output],
        groupId: group(`${killed}-${stage}`),
      };
      if (stage === 'preprocess') {
        return new StageRunner({ ...common, handler: preprocessHandler(bundle), chunkSize: 20 });
      }
      if (stage === 'window') {
        const restore = { kafka, registry, topic: topics.windows, logger };
        return new StageRunner({ ...common, handler: windowHandler(bundle, restore) });
      }
      const scorer = await createScorer(bundle, { engine: 'onnx', logger });
      scorers.push(scorer);
      const handler = scoreHandler(bundle, scorer, { microBatch: 128 });
      return new StageRunner({ ...common, handler, chunkSize: 200 });
    }

    /** Resolves once `topic` holds `offsets` offsets; fails after `timeoutMs`. */
    async function reaches(topic: string, offsets: number, timeoutMs: number, why: () => string) {
      const deadline = Date.now() + timeoutMs;
      while ((await topicOffsets(admin as Admin, topic)) < offsets) {
        if (Date.now() > deadline) assert.fail(`${topic} short of ${offsets} offsets: ${why()}`);
        await sleep(100);
      }
    }

    async function killAndRestart(stage: StageName): Promise<void> {
      const topics = topicsOf.get(stage) as TopicNames;
      for (const other of STAGES.filter((s) => s !== stage)) {
        const runner = await inProcess(other, stage, topics);
        connected.push(runner);
        await runner.start();
      }

      const args = ['--bundle', bundleDir, '--topic-prefix', prefixOf(stage)];
      args.push('--brokers', config.brokers.join(','), '--instance', run);
      args.push('--group', group(`${stage}-served`));
      const first = serveStage(stage, args);
      children.push(first);
      await first.waitFor(/"msg":"started"/, START_TIMEOUT_MS);

      const replaying = replayInBackground({
        kafka,
        registry,
        logger,
        data,
        topic: topics.raw,
        limit: count,
        rate: RATE,
      });
      await reaches(topics[IO[stage][1]], KILL_AT_OFFSETS, START_TIMEOUT_MS, first.tail);
      assert.ok(first.running(), `the first ${stage} service runs: ${first.tail()}`);
      assert.equal(replaying.finished(), false, 'the kill lands mid-replay');
      await first.kill();

      const second = serveStage(stage, args);
      children.push(second);
      assert.equal((await replaying.done).records, count);

      const delivered = await readDelivered({
        kafka,
        registry,
        topic: topics.scores,
        schema: 'ScoredEvent',
        groupId: group(`${stage}-reader`),
        count,
        timeoutMs: READ_TIMEOUT_MS,
      });
      const story = () => `${stage} successor: ${second.tail()}`;
      assertExactlyOnce(delivered, count, story);
      let differ = 0;
      for (const event of delivered.values) {
        const want = expected.get(recordKey(event));
        assert.notEqual(want, undefined, `${recordKey(event)} is a test record`);
        if (event.predictedIndex !== want) differ++;
      }
      assert.equal(differ, 0, `${differ} of ${count} predictions differ from offline evaluation`);
      assert.ok(second.running(), `the successor still runs: ${story()}`);
      if (stage === 'window') {
        assert.match(second.log(), /windows read back/, 'the successor read its state back');
      }
    }

    for (const stage of STAGES) {
      it(
        `scores each record exactly once, as offline evaluation does, after a SIGKILL of the ` +
          `${stage} service mid-replay`,
        { timeout: 240_000 },
        async (t) => {
          if (skipWithoutBroker(t, problem)) return;
          await killAndRestart(stage);
        },
      );
    }
  },
);
