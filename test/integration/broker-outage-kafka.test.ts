import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import { Kafka, logLevel, type Admin } from 'kafkajs';
import { pino } from 'pino';

import { loadAvroRegistry } from '../../schemas/avro/registry.js';
import type { AvroRegistry } from '../../schemas/avro/registry.js';
import { retryWithBackoff } from '../../services/runtime/backoff.js';
import { createTopics, resolveTopicNames, topicList } from '../../services/runtime/topics.js';
import { replayInBackground } from '../helpers/background-replay.js';
import { assertExactlyOnce, readDelivered, topicOffsets } from '../helpers/delivered.js';
import { probeKafka, skipWithoutBroker } from '../helpers/kafka.js';
import { serveStage, type ServedStage } from '../helpers/served-stage.js';
import { SpareBroker } from '../helpers/spare-broker.js';
import { tinyBundle } from '../helpers/tiny-bundle.js';

// The preprocess service (`iomt serve preprocess`, a child process) against a broker of its
// own that is down when the service starts, then goes away twice while records flow: a clean
// stop (stop.sh) and a SIGKILL of its JVM, each followed by a start. The service must say
// that it retries, survive both outages, and write every record exactly once. The spare
// broker runs from the jars of infra/kafka/start.sh; the test skips when the main broker is
// absent (no Kafka set up here), unless IOMT_REQUIRE_KAFKA.

/** Records per replay: the two files' captures differ, so every record is distinct. */
const PER_REPLAY = 200;
const RATE = 20;
/** Offsets the scaled topic gains before each outage: records are flowing. */
const FLOWING_OFFSETS = 40;
/** How long the broker stays away each time, beyond its stop and start. */
const OUTAGE_MS = 3_000;
const WAIT_MS = 90_000;

const logger = pino({ level: process.env.IOMT_LOG_LEVEL ?? 'silent' });

describe(
  'a stage service whose broker is down at start and goes away',
  { timeout: 420_000 },
  () => {
    const run = randomBytes(6).toString('hex');
    const broker = new SpareBroker();
    // The test's own clients retry long enough to outlast an outage: the replay is one of them.
    const kafka = new Kafka({
      brokers: [broker.address],
      clientId: 'iomt-test',
      logLevel: logLevel.NOTHING,
      retry: { initialRetryTime: 200, maxRetryTime: 2_000, retries: 60 },
    });
    const topics = resolveTopicNames({ prefix: `iomt-test-${run}.` });
    const readerGroup = `iomt-test-${run}-reader`;
    let problem: string | undefined;
    let registry: AvroRegistry;
    let admin: Admin | undefined;
    let service: ServedStage | undefined;
    let tiny: Awaited<ReturnType<typeof tinyBundle>> | undefined;

    before(async () => {
      problem = await probeKafka();
      if (problem !== undefined) return;

      tiny = await tinyBundle({ prefix: 'broker-outage-kafka' });
      registry = await loadAvroRegistry();
      // A broker left behind by an earlier run would not be down at start.
      await broker.stop();
    });

    after(async () => {
      await service?.stop();
      if (admin) {
        await admin.deleteTopics({ topics: topicList(topics) }).catch(() => undefined);
        await admin
          .deleteGroups([`${readerGroup}-0`, `${readerGroup}-1`, `iomt-test-${run}-preprocess`])
          .catch(() => undefined);
        await admin.disconnect().catch(() => undefined);
      }
      await broker.stop();
      await tiny?.cleanup();
    });

    /** The scaled topic's offsets; a request cut by a broker restart is asked again. */
    const scaledOffsets = () =>
      retryWithBackoff('fetch offsets', () => topicOffsets(admin as Admin, topics.scaled), logger, {
        maxAttempts: 10,
      });

    /** Resolves once the scaled topic has `gained` offsets more than now. */
    async function flowing(gained: number): Promise<void> {
      const wanted = (await scaledOffsets()) + gained;
      const deadline = Date.now() + WAIT_MS;
      while ((await scaledOffsets()) < wanted) {
        const story = `service: ${service?.tail() ?? ''}`;
        if (Date.now() > deadline) assert.fail(`no ${gained} more scaled offsets; ${story}`);
        await sleep(100);
      }
    }

    it(
      'preprocesses every record exactly once across a late start, a clean stop and a SIGKILL of ' +
        'the broker',
      { timeout: 400_000 },
      async (t) => {
        if (skipWithoutBroker(t, problem)) return;
        const { bundle, data } = tiny as NonNullable<typeof tiny>;

        const args = ['--bundle', bundle, '--topic-prefix', `iomt-test-${run}.`];
        service = serveStage('preprocess', [
          ...args,
          '--brokers',
          broker.address,
          '--instance',
          run,
          '--group',
          `iomt-test-${run}-preprocess`,
        ]);
        await service.waitFor(/retrying after failure/, WAIT_MS);
        await broker.start();
        admin = kafka.admin();
        await admin.connect();
        await createTopics(admin, topics, { partitions: 3 });
        await service.waitFor(/"msg":"started"/, WAIT_MS);
        const startedAt = service.log().length;

        // Two replays, one per outage, each cut by it: the broker goes away while records
        // flow, and the replay's producer waits for it to come back. After each, every record
        // so far must have arrived once, so the service recovered before the next outage.
        const outages = [
          { file: 'train.arrow', away: () => broker.stop() },
          { file: 'test.arrow', away: () => broker.kill() },
        ];
        let count = 0;
        for (const [i, { file, away }] of outages.entries()) {
          const replaying = replayInBackground({
            kafka,
            registry,
            logger,
            data: join(data, file),
            topic: topics.raw,
            limit: PER_REPLAY,
            rate: RATE,
          });
          await flowing(FLOWING_OFFSETS);
          assert.equal(replaying.finished(), false, 'the broker goes away mid-replay');
          await away();
          await sleep(OUTAGE_MS);
          await broker.start();
          assert.equal((await replaying.done).records, PER_REPLAY);

          count += PER_REPLAY;
          const delivered = await readDelivered({
            kafka,
            registry,
            topic: topics.scaled,
            schema: 'ScaledFlowRecord',
            groupId: `${readerGroup}-${i}`,
            count,
            timeoutMs: WAIT_MS,
          });
          assertExactlyOnce(delivered, count, () => `service: ${service?.tail() ?? ''}`);
        }
        assert.ok(service.running(), `the service survived both outages: ${service.tail()}`);

        const afterStart = service.log().slice(startedAt);
        assert.match(
          afterStart,
          /ECONNREFUSED|Connection error|Closed connection/,
          'lost the broker',
        );
        assert.match(afterStart, /restarting|retrying/i, 'and retried');
      },
    );
  },
);
