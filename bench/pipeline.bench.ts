/**
 * The pipeline end to end through a real Kafka broker (IOMT_KAFKA_BROKERS, else the broker of
 * infra/kafka/start.sh), in one run, on topics with a random prefix that are deleted at the end:
 *
 *   1. end to end: the preprocess, window and score stage runners in this process, the test
 *      split replayed into the raw topic, and a read-committed consumer of the scores topic:
 *      records/s from the first produce to the last committed score, and the latency from each
 *      record's `producedAt` to the moment the consumer received its committed score;
 * Chunk sizes as in test/integration/pipeline-kafka.test.ts: preprocess 500 (the default), window
 * 100 (a transaction of 500 windows is larger than the broker's 1 MB message limit), score 200
 * with micro-batches of 128.
 *
 *   2. end to end again with tracing on (every record one trace: replay's root span and three
 *      spans per stage, as docs/architecture.md describes them), exported over OTLP/HTTP in
 *      batches to the Jaeger of infra/jaeger/start.sh (IOMT_OTLP_ENDPOINT, else
 *      127.0.0.1:4318), on topics of its own; left out, and said so, when nothing answers there.
 *
 *   3. each stage alone: its input topic already filled (the topics of part 1, which the
 *      upstream stages filled and finished), only that stage's runner started, in a fresh group
 *      and into a fresh output topic, timed from the moment its group is stable until a
 *      read-committed consumer has counted every output record.
 *
 * Usage: node dist/bench/pipeline.bench.js [--bundle DIR] [--data DIR] [--records N]
 *        [--partitions P] [--markdown]
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

import Table from 'cli-table3';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { pino } from 'pino';

import { loadBundle } from '../pipelines/models/bundle.js';
import type { LoadedBundle } from '../pipelines/models/bundle.js';
import { createScorer } from '../pipelines/models/bundle-runner.js';
import type { Scorer } from '../pipelines/models/scorer.js';
import { loadAvroRegistry } from '../schemas/avro/registry.js';
import type { AvroRegistry } from '../schemas/avro/registry.js';
import { createKafkaClient } from '../services/runtime/kafka-client.js';
import { resolveKafkaConfig } from '../services/runtime/kafka-config.js';
import { StageRunner } from '../services/runtime/stage-runner.js';
import { createTopics, resolveTopicNames, topicList } from '../services/runtime/topics.js';
import type { TopicNames } from '../services/runtime/topics.js';
import { preprocessHandler } from '../services/stages/preprocess-service.js';
import { replay } from '../services/stages/replay.js';
import { scoreHandler } from '../services/stages/score-service.js';
import { windowHandler } from '../services/stages/window-service.js';
import { startTelemetry } from '../services/telemetry/telemetry.js';
import { machineRows, markdownTable, rate } from './report.js';

const WAIT_MS = 60_000;
const logger = pino({ level: process.env.IOMT_LOG_LEVEL ?? 'silent' });

type StageName = 'preprocess' | 'window' | 'score';

interface Context {
  kafka: Kafka;
  admin: Admin;
  registry: AvroRegistry;
  bundle: LoadedBundle;
  scorer: Scorer;
  topics: TopicNames;
  run: string;
  groups: string[];
  extraTopics: string[];
}

/** Polls until the consumer group `groupId` is stable, and answers when (performance.now()). */
async function stable(admin: Admin, groupId: string): Promise<number> {
  const deadline = performance.now() + WAIT_MS;
  while (performance.now() < deadline) {
    const { groups } = await admin.describeGroups([groupId]);
    const state = groups[0];
    if (state?.state === 'Stable' && state.members.length > 0) return performance.now();
    await sleep(20);
  }
  throw new Error(`group ${groupId} did not become stable`);
}

/** A read-committed consumer of `topic` from its beginning, running and in a stable group. */
async function reader(
  ctx: Context,
  name: string,
  topic: string,
  onValue: (value: Buffer, receivedAt: number) => void,
): Promise<Consumer> {
  const groupId = `iomt-bench-${ctx.run}-${name}`;
  ctx.groups.push(groupId);
  const consumer = ctx.kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachBatch: ({ batch }) => {
      const receivedAt = Date.now();
      for (const message of batch.messages) onValue(message.value ?? Buffer.alloc(0), receivedAt);
      return Promise.resolve();
    },
  });
  await stable(ctx.admin, groupId);
  return consumer;
}

/** Resolves once `count()` reaches `target`; rejects after WAIT_MS. */
async function until(count: () => number, target: number, what: string): Promise<void> {
  const deadline = performance.now() + WAIT_MS;
  while (count() < target) {
    if (performance.now() > deadline) throw new Error(`${what}: ${count()} of ${target}`);
    await sleep(2);
  }
}

function runner(ctx: Context, stage: StageName, input: string, output: string, group: string) {
  const groupId = `iomt-bench-${ctx.run}-${group}`;
  ctx.groups.push(groupId);
  const common = {
    kafka: ctx.kafka,
    registry: ctx.registry,
    logger,
    deadLetterTopic: ctx.topics.deadLetter,
    inputTopic: input,
    outputTopic: output,
    groupId,
  };
  const made =
    stage === 'preprocess'
      ? new StageRunner({ ...common, handler: preprocessHandler(ctx.bundle) })
      : stage === 'window'
        ? new StageRunner({ ...common, handler: windowHandler(ctx.bundle) })
        : new StageRunner({ ...common, handler: scoreHandler(ctx.bundle, ctx.scorer) });
  return { runner: made, groupId };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? NaN;
}

interface EndToEnd {
  records: number;
  seconds: number;
  replaySeconds: number;
  latency: number[];
}

async function endToEnd(
  ctx: Context,
  topics: TopicNames,
  data: string,
  limit: number,
): Promise<EndToEnd> {
  const stages = [
    runner(ctx, 'preprocess', topics.raw, topics.scaled, `${topics.raw}-preprocess`),
    runner(ctx, 'window', topics.scaled, topics.windows, `${topics.raw}-window`),
    runner(ctx, 'score', topics.windows, topics.scores, `${topics.raw}-score`),
  ];
  const latency: number[] = [];
  let last = 0;
  const scores = await reader(ctx, `${topics.raw}-scores`, topics.scores, (value, receivedAt) => {
    const decoded = ctx.registry.decodeAs('ScoredEvent', value);
    if (!decoded.ok) throw new Error(`a score does not decode: ${decoded.message}`);
    latency.push(receivedAt - decoded.value.producedAt);
    last = receivedAt;
  });
  try {
    for (const { runner: r } of stages) await r.start();
    for (const { groupId } of stages) await stable(ctx.admin, groupId);

    const first = Date.now();
    const replayed = await replay({
      kafka: ctx.kafka,
      registry: ctx.registry,
      logger,
      data,
      topic: topics.raw,
      ...(Number.isFinite(limit) ? { limit } : {}),
    });
    await until(() => latency.length, replayed.records, 'end-to-end scores');
    return {
      records: replayed.records,
      seconds: (last - first) / 1000,
      replaySeconds: replayed.seconds,
      latency: latency.sort((a, b) => a - b),
    };
  } finally {
    await scores.disconnect();
    for (const { runner: r } of stages) await r.stop();
  }
}

interface Alone {
  stage: StageName;
  records: number;
  joinSeconds: number;
  seconds: number;
}

async function alone(
  ctx: Context,
  stage: StageName,
  input: string,
  records: number,
  partitions: number,
): Promise<Alone> {
  const output = `iomt-bench-${ctx.run}.alone.${stage}`;
  await ctx.admin.createTopics({
    topics: [{ topic: output, numPartitions: partitions, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  ctx.extraTopics.push(output);
  let count = 0;
  let last = 0;
  const counter = await reader(ctx, `alone-${stage}-count`, output, (_value, receivedAt) => {
    count++;
    last = receivedAt;
  });
  const { runner: r, groupId } = runner(ctx, stage, input, output, `alone-${stage}`);
  try {
    const started = performance.now();
    const startedAt = Date.now();
    await r.start();
    const joined = await stable(ctx.admin, groupId);
    const joinedAt = startedAt + (joined - started);
    await until(() => count, records, `${stage} alone`);
    return {
      stage,
      records: count,
      joinSeconds: (joined - started) / 1000,
      seconds: (last - joinedAt) / 1000,
    };
  } finally {
    await counter.disconnect();
    await r.stop();
  }
}

/** Why nothing takes OTLP at `endpoint`, or undefined when something does. */
async function probeOtlp(endpoint: string): Promise<string | undefined> {
  try {
    const response = await fetch(`${endpoint}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(3_000),
    });
    return response.ok ? undefined : `HTTP ${response.status} from ${endpoint}`;
  } catch (error) {
    return `${endpoint}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * The end-to-end run with every record traced and exported to OTLP, on topics of its own;
 * answers why it was left out when no OTLP receiver answers.
 */
async function tracedEndToEnd(
  ctx: Context,
  data: string,
  limit: number,
  partitions: number,
): Promise<EndToEnd | string> {
  const endpoint = (process.env.IOMT_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318').replace(/\/$/, '');
  const problem = await probeOtlp(endpoint);
  if (problem !== undefined) return problem;
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = endpoint;
  const telemetry = await startTelemetry(
    { serviceName: 'iomt-bench', traces: 'otlp', sampler: { name: 'always_on', ratio: 1 } },
    logger,
  );
  const topics = resolveTopicNames({ prefix: `iomt-bench-${ctx.run}.traced.` });
  ctx.extraTopics.push(...topicList(topics));
  try {
    await createTopics(ctx.admin, topics, { partitions });
    const run = await endToEnd(ctx, topics, data, limit);
    console.error(`traced end to end: ${run.records} records in ${run.seconds.toFixed(2)} s`);
    return run;
  } finally {
    await telemetry.shutdown();
  }
}

async function versions(): Promise<string[][]> {
  const pom = await readFile(join('infra', 'kafka', 'pom.xml'), 'utf8').catch(() => '');
  const broker = /<kafka\.version>(.+)<\/kafka\.version>/.exec(pom)?.[1] ?? '?';
  const kafkajs = await readFile(join('node_modules', 'kafkajs', 'package.json'), 'utf8')
    .then((text) => (JSON.parse(text) as { version: string }).version)
    .catch(() => '?');
  return [
    ['Kafka broker', `${broker} (single node, KRaft, infra/kafka)`],
    ['kafkajs', kafkajs],
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      bundle: { type: 'string', default: 'out/main-job/bundle' },
      data: { type: 'string', default: 'out/main-job/arrow' },
      records: { type: 'string', default: 'all' },
      partitions: { type: 'string', default: '3' },
      markdown: { type: 'boolean', default: false },
    },
  });
  const limit = values.records === 'all' ? Infinity : Number(values.records);
  if (!(limit > 0)) throw new Error(`--records must be a positive number or 'all'`);
  const partitions = Number(values.partitions);

  const config = resolveKafkaConfig({ clientId: 'iomt-bench' });
  const kafka = createKafkaClient(config, logger);
  const bundle = await loadBundle(values.bundle);
  const scorer = await createScorer(bundle, { engine: 'onnx', logger });
  const registry = await loadAvroRegistry();
  const admin = kafka.admin();
  await admin.connect();
  const run = randomBytes(6).toString('hex');
  const topics = resolveTopicNames({ prefix: `iomt-bench-${run}.` });
  const ctx: Context = {
    kafka,
    admin,
    registry,
    bundle,
    scorer,
    topics,
    run,
    groups: [],
    extraTopics: [],
  };

  try {
    await createTopics(admin, topics, { partitions });
    console.error(`topics iomt-bench-${run}.* on ${config.brokers.join(',')}`);
    const e2e = await endToEnd(ctx, topics, values.data, limit);
    console.error(`end to end: ${e2e.records} records in ${e2e.seconds.toFixed(2)} s`);
    const inputs: Record<StageName, string> = {
      preprocess: topics.raw,
      window: topics.scaled,
      score: topics.windows,
    };
    const stages: Alone[] = [];
    for (const stage of ['preprocess', 'window', 'score'] as const) {
      stages.push(await alone(ctx, stage, inputs[stage], e2e.records, partitions));
      console.error(`measured ${stage} alone`);
    }

    const traced = await tracedEndToEnd(ctx, values.data, limit, partitions);

    const e2eHead = ['end to end', 'records', 'records/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'];
    const e2eRow = (label: string, run: EndToEnd) => {
      const ms = (p: number) => percentile(run.latency, p).toFixed(0);
      const records = run.records.toLocaleString('en-US');
      return [label, records, rate(run.records, run.seconds), ms(50), ms(95), ms(99), ms(100)];
    };
    const e2eRows = [e2eRow('3 stages, tracing off', e2e)];
    if (typeof traced === 'string') console.error(`traced end to end left out: ${traced}`);
    else e2eRows.push(e2eRow('3 stages, every record traced', traced));
    const stageHead = ['stage alone', 'records', 'records/s', 'drain s', 'group join s'];
    const stageRows = stages.map((s) => [
      s.stage,
      s.records.toLocaleString('en-US'),
      rate(s.records, s.seconds),
      s.seconds.toFixed(2),
      s.joinSeconds.toFixed(2),
    ]);
    const machine = [
      ...(await machineRows()),
      ...(await versions()),
      ['partitions per topic', String(partitions)],
      ['replay producer, during end to end', `${rate(e2e.records, e2e.replaySeconds)} records/s`],
    ];

    const e2eTable = new Table({ head: e2eHead });
    e2eTable.push(...e2eRows);
    const stageTable = new Table({ head: stageHead });
    stageTable.push(...stageRows);
    const machineTable = new Table();
    machineTable.push(...machine);
    console.log(e2eTable.toString());
    console.log(stageTable.toString());
    console.log(machineTable.toString());
    if (values.markdown) {
      console.log(`\n${markdownTable(e2eHead, e2eRows)}\n`);
      console.log(`${markdownTable(stageHead, stageRows)}\n`);
      console.log(markdownTable(['', ''], machine));
    }
  } finally {
    await admin
      .deleteTopics({ topics: [...topicList(topics), ...ctx.extraTopics] })
      .catch((error: unknown) => console.error(`could not delete the topics: ${String(error)}`));
    await admin.deleteGroups(ctx.groups).catch(() => undefined);
    await admin.disconnect();
    await scorer.dispose();
  }
}

await main();
