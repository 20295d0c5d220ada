import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Admin } from 'kafkajs';
import { pino } from 'pino';

import { ingestDataset } from '../../pipelines/arrow/ingest.js';
import { generateDataset } from '../../pipelines/dataset/synth/index.js';
import { WindowStage } from '../../pipelines/stages/window.js';
import type { RawFlowRecord } from '../../schemas/avro/messages.js';
import { loadAvroRegistry, type AvroRegistry } from '../../schemas/avro/registry.js';
import { createKafkaClient } from '../../services/runtime/kafka-client.js';
import { replay } from '../../services/stages/replay.js';
import { kafkaConfig, probeKafka, skipWithoutBroker } from '../helpers/kafka.js';
import { tempDir } from '../helpers/paths.js';

// Replays of a CSV tree and of its Arrow file against the broker of infra/kafka/start.sh (or
// IOMT_KAFKA_BROKERS). Without one the tests skip, unless IOMT_REQUIRE_KAFKA is set.

const READ_TIMEOUT_MS = 30_000;
const logger = pino({ level: process.env.IOMT_LOG_LEVEL ?? 'silent' });

interface Received {
  partition: number;
  key: string;
  record: Omit<RawFlowRecord, 'producedAt'>;
}

describe('replaying a CSV tree into a real broker', { timeout: 120_000 }, () => {
  const run = randomBytes(6).toString('hex');
  const kafka = createKafkaClient(kafkaConfig, logger);
  const topic = (name: string) => `iomt-test-${run}.${name}`;
  const topics = ['arrow', 'csv', 'loop', 'endless'].map(topic);
  const groups: string[] = [];
  let problem: string | undefined;
  let admin: Admin | undefined;
  let registry: AvroRegistry;
  let dir = '';
  let tree = '';
  let arrow = '';
  let cleanup = async () => {};

  /** The messages of `name`, partition by partition, each in offset order. */
  async function readByPartition(name: string, count: number): Promise<Received[]> {
    const groupId = `iomt-test-${run}-${name}-p${groups.length}`;
    groups.push(groupId);
    const reader = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
    await reader.connect();
    const got: Received[] = [];
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    try {
      await reader.subscribe({ topics: [name], fromBeginning: true });
      await reader.run({
        eachMessage: ({ partition, message }) => {
          const decoded = registry.decodeAs('RawFlowRecord', message.value ?? Buffer.alloc(0));
          assert.ok(decoded.ok, 'a raw flow record decodes');
          const { producedAt, ...record } = decoded.value;
          assert.ok(producedAt > 0);
          got.push({ partition, key: message.key?.toString() ?? '', record });
          if (got.length >= count) finish();
          return Promise.resolve();
        },
      });
      const timer = setTimeout(finish, READ_TIMEOUT_MS);
      await finished;
      clearTimeout(timer);
    } finally {
      await reader.disconnect();
    }
    assert.equal(got.length, count, `${name}: ${got.length} of ${count} messages`);
    return got.sort((a, b) => a.partition - b.partition);
  }

  before(async () => {
    problem = await probeKafka();
    if (problem !== undefined) return;
    ({ dir, cleanup } = await tempDir('replay-kafka'));
    tree = join(dir, 'dataset');
    arrow = join(dir, 'arrow');
    await generateDataset({ out: tree, layout: '45', rows: 1500, seed: 6 });
    await ingestDataset({ datasetDir: tree, out: arrow });
    registry = await loadAvroRegistry();
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: topics.map((t) => ({ topic: t, numPartitions: 3, replicationFactor: 1 })),
      waitForLeaders: true,
    });
  });

  after(async () => {
    if (admin) {
      await admin.deleteTopics({ topics }).catch(() => undefined);
      await admin.deleteGroups(groups).catch(() => undefined);
      await admin.disconnect();
    }
    await cleanup();
  });

  it("produces the Arrow replay's records: same key, partition, capture, seq, values, label", async (t) => {
    if (skipWithoutBroker(t, problem)) return;
    const common = { kafka, registry, logger };
    const fromArrow = await replay({ ...common, data: arrow, topic: topic('arrow') });
    const fromCsv = await replay({
      ...common,
      data: tree,
      topic: topic('csv'),
      rejections: join(dir, 'rejections.jsonl'),
    });
    assert.ok(fromArrow.records > 100);
    assert.equal(fromCsv.records, fromArrow.records);
    assert.equal(fromCsv.rejected, 0);
    assert.equal(fromCsv.rejectionsPath, join(dir, 'rejections.jsonl'));
    assert.equal(await readFile(join(dir, 'rejections.jsonl'), 'utf8'), '');
    assert.equal(fromArrow.rejectionsPath, undefined);

    const a = await readByPartition(topic('arrow'), fromArrow.records);
    const c = await readByPartition(topic('csv'), fromCsv.records);
    assert.deepEqual(c, a);
    assert.ok(a.every((m) => m.key === m.record.capture && m.record.label19 !== null));
  });

  it('loops n passes with every seq growing per capture, as the window stage needs', async (t) => {
    if (skipWithoutBroker(t, problem)) return;
    const passes = 3;
    const summary = await replay({
      kafka,
      registry,
      logger,
      data: tree,
      topic: topic('loop'),
      passes,
      rejections: join(dir, 'loop-rejections.jsonl'),
    });
    const got = await readByPartition(topic('loop'), summary.records);
    assert.equal(summary.passes, passes);
    assert.equal(summary.stopped, false);

    // Each capture lives on one partition, so its records arrive in the order produced.
    const window = new WindowStage({ windowLength: 4, features: 45, scalerChecksum: 'x' });
    const byCapture = new Map<string, number[]>();
    for (const { record } of got) {
      const scaled = { ...record, producedAt: 0, scalerChecksum: 'x', label6: null, scaledAt: 0 };
      const outcome = window.push(scaled);
      assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
      byCapture.set(record.capture, [...(byCapture.get(record.capture) ?? []), record.seq]);
    }
    for (const [capture, seqs] of byCapture) {
      const n = seqs.length / passes;
      assert.ok(Number.isInteger(n), capture);
      const first = seqs.slice(0, n);
      const span = first.reduce((m, s) => Math.max(m, s + 1), 0);
      for (let p = 1; p < passes; p++) {
        const shifted = first.map((s) => s + p * span);
        assert.deepEqual(seqs.slice(p * n, (p + 1) * n), shifted, `${capture}, pass ${p + 1}`);
      }
    }
  });

  it('loops until stopped, and says it was stopped', async (t) => {
    if (skipWithoutBroker(t, problem)) return;
    const stopping = new AbortController();
    const timer = setTimeout(() => stopping.abort(), 1_500);
    const summary = await replay({
      kafka,
      registry,
      logger,
      data: arrow,
      topic: topic('endless'),
      passes: Infinity,
      rate: 1_000,
      signal: stopping.signal,
    });
    clearTimeout(timer);
    assert.equal(summary.stopped, true);
    assert.ok(summary.passes >= 2, `${summary.passes} passes`);
    assert.ok(summary.records > 0 && summary.seconds < 5, `${summary.records} records`);
  });
});
