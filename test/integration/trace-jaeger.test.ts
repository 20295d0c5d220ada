import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';

import type { Admin, KafkaMessage } from 'kafkajs';
import { pino } from 'pino';

import { loadAvroRegistry, type AvroRegistry } from '../../schemas/avro/registry.js';
import type { ScoredEvent } from '../../schemas/avro/messages.js';
import type { JaegerSpan, JaegerTrace } from '../../services/downstream/jaeger-client.js';
import { latencyReport } from '../../services/downstream/latency.js';
import { createKafkaClient } from '../../services/runtime/kafka-client.js';
import { createTopics, resolveTopicNames, topicList } from '../../services/runtime/topics.js';
import type { TopicNames } from '../../services/runtime/topics.js';
import { jaegerUrl, otlpEndpoint, probeJaeger, skipWithoutJaeger } from '../helpers/jaeger.js';
import { kafkaConfig, probeKafka, readUntil, skipWithoutBroker } from '../helpers/kafka.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { freePort } from '../helpers/ports.js';
import { serveStage, type ServedStage } from '../helpers/served-stage.js';
import { tinyBundle } from '../helpers/tiny-bundle.js';

// The four services as processes with tracing on, exporting to the Jaeger of
// infra/jaeger/start.sh: every replayed record must come back from Jaeger's query API as one
// trace holding the spans of replay, preprocess, window and score in causal order. Their
// Prometheus endpoints are scraped before and after, and must have counted the records.

const REPLAYED = 300;
const SAMPLED = 25;
const READ_TIMEOUT_MS = 90_000;
const STAGES = ['preprocess', 'window', 'score'] as const;
type StageName = (typeof STAGES)[number];

const run = promisify(execFile);
const logger = pino({ level: process.env.IOMT_LOG_LEVEL ?? 'silent' });

/** `name{labels} value` lines of a Prometheus text page whose labels include `match`. */
function sampleOf(page: string, name: string, match: Record<string, string>): number {
  let total = 0;
  for (const line of page.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labels = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (Object.entries(match).every(([k, v]) => labels.includes(`${k}="${v}"`))) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

async function scrape(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(response.status, 200);
  return response.text();
}

/** The trace with `traceId`, once Jaeger holds at least `spans` of its spans. */
async function traceOf(traceId: string, spans: number): Promise<JaegerTrace> {
  const deadline = Date.now() + 30_000;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const response = await fetch(`${jaegerUrl}/api/traces/${traceId}`);
    if (response.ok) {
      const body = (await response.json()) as { data?: JaegerTrace[] };
      const trace = body.data?.[0];
      if (trace && trace.spans.length >= spans) return trace;
      last = `${trace?.spans.length ?? 0} spans`;
    } else last = `HTTP ${response.status}`;
    await sleep(500);
  }
  throw new Error(`trace ${traceId} incomplete in Jaeger: ${last}`);
}

const tag = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value;
const parentOf = (span: JaegerSpan) =>
  span.references.find((r) => r.refType === 'CHILD_OF')?.spanID;

describe('one trace per record through the four services, in Jaeger', { timeout: 300_000 }, () => {
  const id = randomBytes(6).toString('hex');
  const kafka = createKafkaClient(kafkaConfig, logger);
  const prefix = `iomt-test-${id}.`;
  const served: ServedStage[] = [];
  const ports = new Map<StageName, number>();
  const before0 = new Map<StageName, string>();
  const after0 = new Map<StageName, string>();
  let brokerProblem: string | undefined;
  let jaegerProblem: string | undefined;
  let admin: Admin | undefined;
  let topics: TopicNames;
  let registry: AvroRegistry;
  let scores: KafkaMessage[] = [];
  let cleanup = async () => {};

  before(async () => {
    brokerProblem = await probeKafka();
    jaegerProblem = await probeJaeger();
    if (brokerProblem !== undefined || jaegerProblem !== undefined) return;
    const made = await tinyBundle({ prefix: 'trace-jaeger' });
    cleanup = made.cleanup;
    registry = await loadAvroRegistry();
    admin = kafka.admin();
    await admin.connect();
    topics = resolveTopicNames({ prefix });
    await createTopics(admin, topics, { partitions: 3 });

    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint };
    const common = ['--topic-prefix', prefix, '--brokers', kafkaConfig.brokers.join(',')];
    for (const stage of STAGES) {
      const port = await freePort();
      ports.set(stage, port);
      const args = [...common, '--bundle', join(made.dir, 'bundle'), '--instance', id];
      args.push('--group', `iomt-test-${id}-${stage}`);
      served.push(serveStage(stage, [...args, '--metrics-port', String(port)], env));
    }
    for (const stage of served) await stage.waitFor(/"msg":"started"/, 60_000);
    for (const stage of STAGES) before0.set(stage, await scrape(ports.get(stage) ?? 0));

    const main = join(REPO_ROOT, 'dist', 'services', 'cli', 'main.js');
    const data = join(made.dir, 'arrow');
    await run(
      process.execPath,
      [main, 'replay', '--data', data, '--limit', String(REPLAYED), ...common],
      { env: { ...process.env, ...env }, timeout: 120_000 },
    );

    const reader = kafka.consumer({ groupId: `iomt-test-${id}-reader`, maxWaitTimeInMs: 200 });
    await reader.connect();
    try {
      scores = await readUntil(
        reader,
        topics.scores,
        (got) => got.length >= REPLAYED,
        READ_TIMEOUT_MS,
      );
    } finally {
      await reader.disconnect();
    }
    for (const stage of STAGES) after0.set(stage, await scrape(ports.get(stage) ?? 0));
    // A clean stop exports the spans still buffered.
    for (const stage of served) await stage.stop();
  });

  after(async () => {
    for (const stage of served) await stage.stop();
    if (admin) {
      await admin.deleteTopics({ topics: topicList(topics) }).catch(() => undefined);
      const groups = [...STAGES.map((s) => `iomt-test-${id}-${s}`), `iomt-test-${id}-reader`];
      await admin.deleteGroups(groups).catch(() => undefined);
      await admin.disconnect();
    }
    await cleanup();
  });

  it('holds each record in one trace with the spans of all four services in causal order', async (t) => {
    if (skipWithoutBroker(t, brokerProblem) || skipWithoutJaeger(t, jaegerProblem)) return;
    assert.equal(scores.length, REPLAYED);
    const step = Math.floor(REPLAYED / SAMPLED);
    const fetched: JaegerTrace[] = [];
    for (let i = 0; i < REPLAYED; i += step) {
      const message = scores[i] as KafkaMessage;
      const traceparent = message.headers?.traceparent?.toString() ?? '';
      assert.match(traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/, 'the score carries its trace');
      const decoded = registry.decodeAs('ScoredEvent', message.value ?? Buffer.alloc(0));
      assert.ok(decoded.ok);
      const event: ScoredEvent = decoded.value;
      const trace = await traceOf(traceparent.split('-')[1] ?? '', 10);
      fetched.push(trace);
      const service = (span: JaegerSpan) => trace.processes[span.processID]?.serviceName;
      const byId = new Map(trace.spans.map((s) => [s.spanID, s]));

      const roots = trace.spans.filter((s) => parentOf(s) === undefined);
      assert.equal(roots.length, 1, 'one root');
      const root = roots[0] as JaegerSpan;
      assert.equal(service(root), 'iomt-replay');
      assert.equal(root.operationName, `send ${topics.raw}`);
      assert.equal(tag(root, 'iomt.capture'), event.capture);
      assert.equal(tag(root, 'iomt.seq'), event.seq);

      const inputs: Record<StageName, string> = {
        preprocess: topics.raw,
        window: topics.scaled,
        score: topics.windows,
      };
      const outputs: Record<StageName, string> = {
        preprocess: topics.scaled,
        window: topics.windows,
        score: topics.scores,
      };
      let previous = root;
      let stageTime = 0;
      for (const stage of STAGES) {
        const processes = trace.spans.filter(
          (s) => service(s) === `iomt-${stage}` && s.operationName === `process ${inputs[stage]}`,
        );
        assert.equal(processes.length, 1, `one ${stage} consumer span`);
        const process = processes[0] as JaegerSpan;
        assert.equal(parentOf(process), previous.spanID, `${stage} follows the previous hop`);
        assert.ok(process.startTime >= previous.startTime, `${stage} starts after its parent`);
        assert.equal(tag(process, 'messaging.system'), 'kafka');
        assert.equal(tag(process, 'messaging.operation.type'), 'process');
        assert.equal(tag(process, 'messaging.consumer.group.name'), `iomt-test-${id}-${stage}`);
        assert.equal(tag(process, 'iomt.capture'), event.capture);
        assert.equal(tag(process, 'iomt.seq'), event.seq);
        const end = process.startTime + process.duration;
        const children = trace.spans.filter((s) => parentOf(s) === process.spanID);
        const names = children.map((s) => s.operationName).sort();
        assert.deepEqual(names, [`send ${outputs[stage]}`, stage].sort());
        for (const child of children) {
          assert.ok(child.startTime >= process.startTime, `${child.operationName} within`);
          assert.ok(child.startTime + child.duration <= end + 1, `${child.operationName} within`);
        }
        stageTime += process.duration;
        previous = children.find((s) => s.operationName.startsWith('send ')) as JaegerSpan;
        assert.ok(byId.has(previous.spanID));
      }
      const score = trace.spans.find(
        (s) => service(s) === 'iomt-score' && tag(s, 'iomt.predicted'),
      );
      assert.equal(score && tag(score, 'iomt.predicted'), event.predicted);
      assert.equal(score && tag(score, 'iomt.model_version'), event.modelVersion);

      const last = Math.max(...trace.spans.map((s) => s.startTime + s.duration));
      assert.equal(previous.startTime + previous.duration, last, 'the score is sent last');
      const endToEnd = last - root.startTime;
      assert.ok(stageTime + root.duration <= endToEnd + 3_000, 'the hops fit in the trace');
    }

    // The latency report reads the same traces as complete ways through the pipeline.
    const source = { jaeger: jaegerUrl, service: 'iomt-score', lookbackMs: 0, limit: 0 };
    const report = latencyReport(fetched, { ...source, fetchedAt: new Date().toISOString() });
    assert.equal(report.complete, fetched.length);
    assert.equal(report.incomplete.count + report.deadLettered.count, 0);
    const total = report.segments.find((s) => s.id === 'end-to-end');
    assert.equal(total?.count, fetched.length);
    assert.ok((total?.p50 ?? 0) > 0, 'end-to-end latency is measured');
  });

  it('counts the records on every stage’s Prometheus endpoint', (t) => {
    if (skipWithoutBroker(t, brokerProblem) || skipWithoutJaeger(t, jaegerProblem)) return;
    for (const stage of STAGES) {
      const stageLabel = { stage };
      const then = before0.get(stage) ?? '';
      const now = after0.get(stage) ?? '';
      assert.equal(sampleOf(then, 'iomt_records_in_total', stageLabel), 0, `${stage} before`);
      assert.ok(sampleOf(now, 'iomt_records_in_total', stageLabel) >= REPLAYED, `${stage} in`);
      assert.ok(sampleOf(now, 'iomt_records_out_total', stageLabel) >= REPLAYED, `${stage} out`);
      assert.ok(sampleOf(now, 'iomt_chunk_size_count', stageLabel) > 0, `${stage} chunks`);
      assert.ok(sampleOf(now, 'iomt_stage_duration_count', stageLabel) > 0, `${stage} work`);
      assert.ok(sampleOf(now, 'iomt_record_latency_count', stageLabel) >= REPLAYED);
      assert.match(now, /^iomt_consumer_lag\{/m, `${stage} reports its lag`);
    }
  });
});
