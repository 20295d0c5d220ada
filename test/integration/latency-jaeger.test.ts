import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

import { JaegerClient, type JaegerTrace } from '../../services/downstream/jaeger-client.js';
import { latencyReport, type SegmentId } from '../../services/downstream/latency.js';
import {
  jaegerUrl,
  otlpEndpoint,
  probeJaeger,
  skipWithoutJaeger,
  untilJaegerHas,
} from '../helpers/jaeger.js';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';

// Synthetic traces that follow the services' span contract, exported over OTLP to the real
// Jaeger of infra/jaeger/start.sh by one tracer provider per service, then read back through
// the query API: the report's numbers must be the ones the spans' explicit times give.

const SERVICES = ['iomt-replay', 'iomt-preprocess', 'iomt-window', 'iomt-score'] as const;
const TOPICS = ['iomt.flows.raw', 'iomt.flows.scaled', 'iomt.windows', 'iomt.scores'] as const;
const STAGES = ['preprocess', 'window', 'score'] as const;
const COMPLETE = 5;

/**
 * Milliseconds of record i's segments: a + d * i each, so over the five complete traces every
 * percentile is a + d * 4q exactly (linear interpolation between order statistics).
 */
const PLAN: Record<Exclude<SegmentId, 'end-to-end'>, [number, number]> = {
  replay: [1, 1],
  'raw-wait': [2, 2],
  preprocess: [3, 1],
  'scaled-wait': [1, 3],
  window: [2, 1],
  'windows-wait': [5, 1],
  score: [4, 2],
};
const at = (id: keyof typeof PLAN, i: number) => PLAN[id][0] + PLAN[id][1] * i;

const propagator = new W3CTraceContextPropagator();

/** The headers a producer writes into a message, and the context a consumer reads back. */
function carry(span: Span): Context {
  const headers: Record<string, string> = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter);
  return propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

interface SyntheticRecord {
  capture: string;
  seq: number;
  /** The last stage reached and how: scored, dead-lettered at score, or the window span lost. */
  ending: 'scored' | 'dead-lettered' | 'no-window';
}

/** Emits one record's spans, as the four services would, starting at `t0` (epoch ms). */
function emit(tracers: Map<string, Tracer>, record: SyntheticRecord, i: number, t0: number): void {
  const tracer = (service: string) => tracers.get(service) as Tracer;
  const common = { 'messaging.system': 'kafka', 'iomt.capture': record.capture };

  let now = t0;
  const replay = tracer('iomt-replay').startSpan(
    `send ${TOPICS[0]}`,
    {
      kind: SpanKind.PRODUCER,
      startTime: now,
      attributes: {
        ...common,
        'messaging.operation.type': 'send',
        'messaging.destination.name': TOPICS[0],
        'iomt.seq': record.seq,
      },
    },
    ROOT_CONTEXT,
  );
  replay.end((now += at('replay', i)));

  let previous = replay;
  const waits = ['raw-wait', 'scaled-wait', 'windows-wait'] as const;
  for (const [s, stage] of STAGES.entries()) {
    if (stage === 'window' && record.ending === 'no-window') {
      // The window stage's spans never reach Jaeger; score still runs under preprocess's send.
      now += at('window', i) + at('scaled-wait', i);
      continue;
    }
    now += at(waits[s] ?? 'raw-wait', i);
    const started = now;
    const deadLetter = stage === 'score' && record.ending === 'dead-lettered';
    const process = tracer(`iomt-${stage}`).startSpan(
      `process ${TOPICS[s]}`,
      {
        kind: SpanKind.CONSUMER,
        startTime: started,
        attributes: {
          ...common,
          'messaging.operation.type': 'process',
          'messaging.destination.name': TOPICS[s] ?? '',
          'messaging.consumer.group.name': `iomt-${stage}`,
          'messaging.destination.partition.id': '0',
          'messaging.kafka.offset': i,
          'iomt.stage': stage,
          'iomt.seq': record.seq,
          ...(deadLetter && { 'iomt.dead_letter.code': 'NOT_FINITE' }),
        },
      },
      carry(previous),
    );
    if (deadLetter) process.setStatus({ code: SpanStatusCode.ERROR, message: 'NaN feature' });
    now += at(stage, i);

    // The output's send starts halfway through and, like the process span, ends at the commit.
    const output = deadLetter ? 'iomt.dead-letter' : (TOPICS[s + 1] ?? '');
    const send = tracer(`iomt-${stage}`).startSpan(
      `send ${output}`,
      {
        kind: SpanKind.PRODUCER,
        startTime: started + at(stage, i) / 2,
        attributes: { ...common, 'messaging.destination.name': output },
      },
      trace.setSpan(context.active(), process),
    );
    send.end(now);
    process.end(now);
    previous = send;
  }
}

describe('iomt latency against a real Jaeger', { timeout: 120_000 }, () => {
  const capture = `latency-test-${randomBytes(6).toString('hex')}`;
  const providers: TracerProvider[] = [];
  let problem: string | undefined;
  let traces: JaegerTrace[] = [];

  before(async () => {
    problem = await probeJaeger();
    if (problem !== undefined) return;

    const tracers = new Map<string, Tracer>();
    for (const service of SERVICES) {
      const exporter = new OTLPTraceExporter({ url: `${otlpEndpoint}/v1/traces` });
      const provider = new TracerProvider({
        resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service }),
        spanProcessors: [new SimpleSpanProcessor({ exporter })],
      });
      providers.push(provider);
      tracers.set(service, provider.getTracer('latency-test'));
    }

    // Whole milliseconds a minute ago: Jaeger keeps microseconds, so every time comes back exact.
    const t0 = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    const records: SyntheticRecord[] = [
      ...Array.from({ length: COMPLETE }, (_, i): SyntheticRecord => ({
        capture,
        seq: i,
        ending: 'scored',
      })),
      { capture, seq: COMPLETE, ending: 'dead-lettered' },
      { capture, seq: COMPLETE + 1, ending: 'no-window' },
    ];
    records.forEach((record, i) => emit(tracers, record, i % COMPLETE, t0 + i * 1000));
    for (const provider of providers) await provider.forceFlush();

    const client = new JaegerClient({ url: jaegerUrl });
    // 7 spans per complete or dead-lettered record, 5 for the one without window spans.
    const spans = 7 * (COMPLETE + 1) + 5;
    traces = await untilJaegerHas(
      () =>
        client.findTraces({
          service: 'iomt-score',
          lookbackMs: 600_000,
          limit: 100,
          tags: { 'iomt.capture': capture },
        }),
      (found) => found.reduce((n, t) => n + t.spans.length, 0) >= spans,
    );
  });

  after(async () => {
    for (const provider of providers) await provider.shutdown();
  });

  it('gives each segment the percentiles of the spans it was sent', (t) => {
    if (skipWithoutJaeger(t, problem)) return;
    const report = latencyReport(traces, {
      jaeger: jaegerUrl,
      service: 'iomt-score',
      lookbackMs: 600_000,
      limit: 100,
      fetchedAt: new Date().toISOString(),
    });

    assert.equal(report.traces, COMPLETE + 2);
    assert.equal(report.complete, COMPLETE);
    assert.deepEqual(
      report.incomplete.reasons.map((r) => [r.reason, r.traces]),
      [['no iomt-window spans', 1]],
    );
    assert.deepEqual(report.deadLettered.causes, [
      { stage: 'score', code: 'NOT_FINITE', traces: 1 },
    ]);

    const ids = Object.keys(PLAN) as (keyof typeof PLAN)[];
    const endToEnd: [number, number] = [
      ids.reduce((sum, id) => sum + PLAN[id][0], 0),
      ids.reduce((sum, id) => sum + PLAN[id][1], 0),
    ];
    for (const segment of report.segments) {
      const [a, d] = segment.id === 'end-to-end' ? endToEnd : PLAN[segment.id];
      const expect = (q: number) => a + d * 4 * q;
      const close = (actual: number | null, wanted: number, what: string) =>
        assert.ok(
          actual !== null && Math.abs(actual - wanted) < 1e-6,
          `${segment.id} ${what}: ${actual} != ${wanted}`,
        );
      assert.equal(segment.count, COMPLETE, segment.id);
      close(segment.p50, expect(0.5), 'p50');
      close(segment.p95, expect(0.95), 'p95');
      close(segment.p99, expect(0.99), 'p99');
      close(segment.max, expect(1), 'max');
      assert.equal(segment.clamped, 0, segment.id);
    }
  });

  it('runs as `iomt latency`, printing JSON and writing the HTML page', async (t) => {
    if (skipWithoutJaeger(t, problem)) return;
    const { dir, cleanup } = await tempDir('latency');
    try {
      const html = join(dir, 'latency.html');
      const main = join(REPO_ROOT, 'dist', 'services', 'cli', 'main.js');
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [main, 'latency', '--jaeger', jaegerUrl, '--lookback', '10m', '--json', '--html', html],
        { timeout: 60_000, env: { ...process.env, IOMT_LOG_LEVEL: 'warn' } },
      );
      const printed = JSON.parse(stdout) as ReturnType<typeof latencyReport>;
      // Other tests may have left traces in the same Jaeger: ours are among them.
      assert.ok(printed.complete >= COMPLETE, `complete: ${printed.complete}`);
      assert.equal(printed.source.service, 'iomt-score');
      assert.equal(printed.source.lookbackMs, 600_000);
      assert.equal(printed.segments.length, 8);
      assert.match(await readFile(html, 'utf8'), /<svg [^>]*id="fig-latency-segments"/);
    } finally {
      await cleanup();
    }
  });
});
