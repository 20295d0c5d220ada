import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { pino } from 'pino';

import { runMainJob } from '../../services/jobs/main-job.js';
import { createKafkaClient } from '../../services/runtime/kafka-client.js';
import { kafkaConfig, probeKafka, skipWithoutBroker } from '../helpers/kafka.js';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';

// `npm start -- --kafka <brokers>` on a small run, against the broker of infra/kafka/start.sh
// (or IOMT_KAFKA_BROKERS). Without one the streaming test skips, unless IOMT_REQUIRE_KAFKA is
// set; the test of a missing broker needs none.

const CLI = join(REPO_ROOT, 'dist', 'services', 'cli', 'main.js');
const logger = pino({ level: process.env.IOMT_LOG_LEVEL ?? 'silent' });
const quiet = () => ({ update: () => undefined, stop: () => undefined });

describe('the main job streaming through Kafka', { timeout: 180_000 }, () => {
  let problem: string | undefined;
  let dir = '';
  let cleanup = async () => {};

  before(async () => {
    problem = await probeKafka();
    ({ dir, cleanup } = await tempDir('main-job-kafka'));
  });
  after(() => cleanup());

  it(
    'scores every test record once, as the offline evaluation does, and removes its topics',
    { timeout: 120_000 },
    async (t) => {
      if (skipWithoutBroker(t, problem)) return;
      const prefix = `iomt-test-${randomBytes(6).toString('hex')}.`;
      const result = await runMainJob({
        work: join(dir, 'work'),
        rows: 3_000,
        seed: 2,
        layout: '45',
        cvFolds: 0,
        epochs: 1,
        logger,
        progress: quiet,
        kafka: { brokers: kafkaConfig.brokers, topicPrefix: prefix },
      });

      const { stream, evaluation } = result;
      assert.equal(stream.records, evaluation.scored.rows);
      assert.equal(stream.scored, stream.records);
      assert.deepEqual(stream.deadLettered, {});
      assert.equal(stream.accuracy, evaluation.document.models.ensemble.metrics.accuracy);
      assert.ok(stream.recordsPerSecond > 0);
      assert.ok(stream.latencyMs.p50 >= 0 && stream.latencyMs.p50 <= stream.latencyMs.p99);

      const admin = createKafkaClient(kafkaConfig, logger).admin();
      await admin.connect();
      try {
        const topics = (await admin.listTopics()).filter((name) => name.startsWith(prefix));
        const { groups } = await admin.listGroups();
        assert.deepEqual(topics, [], 'the run deletes its topics');
        assert.deepEqual(
          groups.filter((g) => g.groupId.startsWith(prefix)),
          [],
          'and its consumer groups',
        );
      } finally {
        await admin.disconnect();
      }
    },
  );

  it('fails within seconds with one line when no broker answers, before any work', async () => {
    const work = join(dir, 'no-broker');
    const started = performance.now();
    const failed = await promisify(execFile)(
      'node',
      [CLI, 'run', '--kafka', '127.0.0.1:1', '--work', work],
      { timeout: 60_000, env: { ...process.env, IOMT_LOG_LEVEL: 'silent' } },
    ).then(
      () => assert.fail('the run succeeded without a broker'),
      (error: { code?: number; stderr?: string }) => error,
    );
    const seconds = (performance.now() - started) / 1000;

    assert.equal(failed.code, 1);
    assert.match(
      failed.stderr ?? '',
      /^iomt: error: no Kafka broker answered at 127\.0\.0\.1:1 within 10 s \(.+\)\n$/,
    );
    assert.ok(seconds < 25, `${seconds.toFixed(1)} s`);
    assert.equal(existsSync(join(work, 'dataset')), false, 'nothing generated');
  });
});
