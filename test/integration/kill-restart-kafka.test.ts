import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import type { Admin } from 'kafkajs';
import { pino } from 'pino';

import { openFlowFile } from '../../pipelines/arrow/flow-reader.js';
import { evaluateBundle } from '../../pipelines/evaluation/evaluate-bundle.js';
import { loadBundle } from '../../pipelines/models/bundle.js';
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
import { replay } from '../../services/stages/replay.js';
import { scoreHandler } from '../../services/stages/score-service.js';
import { REPO_ROOT } from '../helpers/paths.js';
import {
  kafkaConfig as config,
  probeKafka,
  skipWithoutBroker,
  readUntil,
} from '../helpers/kafka.js';
import { tinyBundle } from '../helpers/tiny-bundle.js';

// The window stage as a child process (`iomt serve window`), SIGKILLed mid-replay and started
// again: its successor must rebuild each capture's window state from the windows topic, so
// every record is scored exactly once and as offline evaluation scores it. Needs the broker of
// infra/kafka/start.sh (or IOMT_KAFKA_BROKERS); skips without one unless IOMT_REQUIRE_KAFKA.

const READ_TIMEOUT_MS = 90_000;
const REPLAYED = 600;
const RATE = 60;
const KILL_AFTER_MS = 4_000;

const logger = pino({ level: process.env.IOMT_LOG_LEVEL ?? 'silent' });

/** `iomt serve window` as a child process, its output kept for failure messages. */
function serveWindow(args: readonly string[]): { child: ChildProcess; output: () => string } {
  const main = join(REPO_ROOT, 'dist', 'services', 'cli', 'main.js');
  const child = spawn(process.execPath, [main, 'serve', 'window', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output.slice(-4000) };
}

describe('the window service killed and restarted on a real broker', { timeout: 300_000 }, () => {
  const run = randomBytes(6).toString('hex');
  const kafka = createKafkaClient(config, logger);
  const groups: string[] = [];
  const connected: Stoppable[] = [];
  const children: ChildProcess[] = [];
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

    ({ dir, cleanup } = await tinyBundle({ prefix: 'kill-restart-kafka' }));

    registry = await loadAvroRegistry();
    admin = kafka.admin();
    await admin.connect();
    topics = resolveTopicNames({ prefix: `iomt-test-${run}.` });
    await createTopics(admin, topics, { partitions: 3 });
  });

  after(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([once(child, 'exit'), sleep(10_000)]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    }
    for (const made of connected.reverse()) await made.stop().catch(() => undefined);
    await scorer?.dispose();
    if (admin) {
      await admin.deleteTopics({ topics: topicList(topics) }).catch(() => undefined);
      await admin.deleteGroups([...groups, 'iomt-window']).catch(() => undefined);
      await admin.disconnect();
    }
    await cleanup();
  });

  it(
    'scores each record exactly once, as offline evaluation does, after a SIGKILL mid-replay',
    { timeout: 240_000 },
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
          chunkSize: 20,
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

      const args = [
        '--bundle',
        bundleDir,
        '--topic-prefix',
        `iomt-test-${run}.`,
        '--brokers',
        config.brokers.join(','),
        '--instance',
        run,
      ];
      const first = serveWindow(args);
      children.push(first.child);

      const offline = await evaluateBundle({ bundle: bundleDir, data, out: join(dir, 'eval') });
      const file = await openFlowFile(join(data, 'test.arrow'));
      const captures = file.info.captures;
      await file.close();
      const expected = new Map<string, number>();
      for (let i = 0; i < offline.scored.rows; i++) {
        const capture = captures[offline.scored.capture[i] ?? -1] ?? '?';
        expected.set(`${capture}/${offline.scored.seq[i]}`, offline.scored.predicted[i] ?? -1);
      }
      const count = Math.min(REPLAYED, offline.scored.rows);

      const replaying = replay({
        kafka,
        registry,
        logger,
        data,
        topic: topics.raw,
        limit: count,
        rate: RATE,
      });
      await sleep(KILL_AFTER_MS);
      assert.equal(first.child.exitCode, null, `the first window service runs: ${first.output()}`);
      first.child.kill('SIGKILL');
      await once(first.child, 'exit');
      const second = serveWindow(args);
      children.push(second.child);

      const replayed = await replaying;
      assert.equal(replayed.records, count);

      const reader = kafka.consumer({ groupId: group('reader'), maxWaitTimeInMs: 200 });
      await reader.connect();
      connected.push({ stop: () => reader.disconnect() });
      const scored = await readUntil(
        reader,
        topics.scores,
        (got) => got.length >= count,
        READ_TIMEOUT_MS,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}; window service: ${second.output()}`);
      });

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
      }
      assert.equal(differ, 0, `${differ} of ${count} predictions differ from offline evaluation`);
      assert.match(second.output(), /windows read back/, 'the successor read its state back');
    },
  );
});
