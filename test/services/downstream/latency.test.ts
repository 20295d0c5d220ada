import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type {
  JaegerProcess,
  JaegerSpan,
  JaegerTrace,
} from '../../../services/downstream/jaeger-client.js';
import {
  describeLookback,
  formatMs,
  latencyReport,
  SEGMENTS,
  traceOutcome,
} from '../../../services/downstream/latency.js';
import type { LatencySource, SegmentId } from '../../../services/downstream/latency.js';

// Traces in the shape of Jaeger's /api/traces answer, built span by span as the services emit
// them: times in microseconds, the parent in a CHILD_OF reference, the kind in `span.kind`.

const SOURCE: LatencySource = {
  jaeger: 'http://127.0.0.1:16686',
  service: 'iomt-score',
  lookbackMs: 3_600_000,
  limit: 100,
  fetchedAt: '2026-01-01T00:00:00.000Z',
};
const T0 = 1_760_000_000_000_000;
const STAGE_SERVICES = ['iomt-preprocess', 'iomt-window', 'iomt-score'] as const;

/** Milliseconds of one record's way: [start, end] of each span, relative to T0. */
interface Timings {
  replay: [number, number];
  stages: { process: [number, number]; send: [number, number] }[];
}

class TraceBuilder {
  readonly spans: JaegerSpan[] = [];
  private readonly processes: Record<string, JaegerProcess> = {};
  private next = 1;

  constructor(readonly traceID: string) {}

  span(
    service: string,
    name: string,
    kind: 'producer' | 'consumer',
    [fromMs, toMs]: [number, number],
    parent?: JaegerSpan,
    extra: Record<string, string | number | boolean> = {},
  ): JaegerSpan {
    const tags = Object.entries({ 'span.kind': kind, ...extra }).map(([key, value]) => ({
      key,
      type: typeof value === 'string' ? 'string' : typeof value === 'boolean' ? 'bool' : 'int64',
      value,
    }));
    const span: JaegerSpan = {
      traceID: this.traceID,
      spanID: `${this.traceID.slice(0, 8)}${String(this.next++).padStart(8, '0')}`,
      operationName: name,
      references: parent
        ? [{ refType: 'CHILD_OF', traceID: this.traceID, spanID: parent.spanID }]
        : [],
      startTime: T0 + fromMs * 1000,
      duration: (toMs - fromMs) * 1000,
      tags,
      processID: this.processOf(service),
    };
    this.spans.push(span);
    return span;
  }

  private processOf(service: string): string {
    const known = Object.entries(this.processes).find(([, p]) => p.serviceName === service);
    if (known) return known[0];
    const id = `p${Object.keys(this.processes).length + 1}`;
    this.processes[id] = { serviceName: service, tags: [] };
    return id;
  }

  build(): JaegerTrace {
    return { traceID: this.traceID, spans: [...this.spans], processes: { ...this.processes } };
  }
}

const TOPICS = ['iomt.flows.raw', 'iomt.flows.scaled', 'iomt.windows', 'iomt.scores'];

/** A complete trace with these timings, its stages' spans in the order the services emit. */
function completeTrace(traceID: string, t: Timings): JaegerTrace {
  const b = new TraceBuilder(traceID);
  let previous = b.span('iomt-replay', `send ${TOPICS[0]}`, 'producer', t.replay);
  t.stages.forEach((stage, i) => {
    const service = STAGE_SERVICES[i] ?? 'iomt-score';
    const process = b.span(service, `process ${TOPICS[i]}`, 'consumer', stage.process, previous);
    previous = b.span(service, `send ${TOPICS[i + 1]}`, 'producer', stage.send, process);
  });
  return b.build();
}

/** Timings where every segment is known: replay 2 ms, waits w, stages s (ms). */
function timings(waits: [number, number, number], stages: [number, number, number]): Timings {
  let at = 0;
  const replay: [number, number] = [at, (at += 2)];
  const out: Timings['stages'] = [];
  for (let i = 0; i < 3; i++) {
    at += waits[i] ?? 0;
    const start = at;
    at += stages[i] ?? 0;
    // The send starts mid-stage and ends at the commit, with the process span.
    out.push({ process: [start, at], send: [start + (stages[i] ?? 0) / 2, at] });
  }
  return { replay, stages: out };
}

function segmentsOf(trace: JaegerTrace): Record<SegmentId, number> {
  const outcome = traceOutcome(trace);
  assert.equal(outcome.kind, 'complete', JSON.stringify(outcome));
  return outcome.kind === 'complete' ? outcome.latency.segments : ({} as never);
}

describe('latency from traces', () => {
  it('measures every segment of a complete trace from its spans', () => {
    const segments = segmentsOf(completeTrace('a'.repeat(32), timings([3, 5, 7], [4, 6, 10])));
    assert.deepEqual(segments, {
      replay: 2,
      'raw-wait': 3,
      preprocess: 4,
      'scaled-wait': 5,
      window: 6,
      'windows-wait': 7,
      score: 10,
      'end-to-end': 37,
    });
  });

  it('takes p50, p95, p99 (linear between order statistics) and max over the complete traces', () => {
    const traces = [1, 2, 3, 4, 10].map((w, i) =>
      completeTrace(`${i}`.repeat(32), timings([w, 1, 1], [1, 1, 1])),
    );
    const report = latencyReport(traces, SOURCE);

    const wait = report.segments.find((s) => s.id === 'raw-wait');
    assert.equal(wait?.count, 5);
    assert.equal(wait?.p50, 3);
    // Sorted 1 2 3 4 10: q * (n - 1) = 3.8 gives 4 + 0.8 * 6; 3.96 gives 4 + 0.96 * 6.
    assert.ok(Math.abs((wait?.p95 ?? 0) - 8.8) < 1e-9);
    assert.ok(Math.abs((wait?.p99 ?? 0) - 9.76) < 1e-9);
    assert.equal(wait?.max, 10);
    const e2e = report.segments.find((s) => s.id === 'end-to-end');
    assert.equal(e2e?.max, 2 + 10 + 1 + 1 + 1 + 1 + 1);
    assert.deepEqual(
      report.segments.map((s) => s.id),
      SEGMENTS.map((s) => s.id),
    );
    assert.equal(report.complete, 5);
    assert.equal(report.period?.from, new Date(T0 / 1000).toISOString());
  });

  it('counts a negative wait (clock skew) as 0 and says how often', () => {
    const t = timings([3, 5, 7], [4, 6, 10]);
    // The window host's clock runs 8 ms behind: its process span starts before the send ended.
    const skewed = {
      ...t,
      stages: t.stages.map((s, i) =>
        i === 1
          ? {
              process: [s.process[0] - 8, s.process[1] - 8] as [number, number],
              send: [s.send[0] - 8, s.send[1] - 8] as [number, number],
            }
          : s,
      ),
    };
    const report = latencyReport([completeTrace('b'.repeat(32), skewed)], SOURCE);
    const scaled = report.segments.find((s) => s.id === 'scaled-wait');
    assert.equal(scaled?.p50, 0);
    assert.equal(scaled?.clamped, 1);
    assert.equal(report.segments.find((s) => s.id === 'windows-wait')?.p50, 15);
  });

  it('reports a trace without one of the four services as incomplete, with the reason', () => {
    const b = new TraceBuilder('c'.repeat(32));
    const send = b.span('iomt-replay', 'send iomt.flows.raw', 'producer', [0, 1]);
    const pre = b.span('iomt-preprocess', 'process iomt.flows.raw', 'consumer', [2, 3], send);
    b.span('iomt-preprocess', 'send iomt.flows.scaled', 'producer', [2.5, 3], pre);
    const partial = b.build();
    const good = completeTrace('d'.repeat(32), timings([1, 1, 1], [1, 1, 1]));

    const report = latencyReport([good, partial], SOURCE);
    assert.equal(report.traces, 2);
    assert.equal(report.complete, 1);
    assert.equal(report.incomplete.count, 1);
    assert.deepEqual(report.incomplete.reasons, [
      { reason: 'no iomt-window spans', traces: 1, example: 'c'.repeat(32) },
    ]);
    assert.equal(report.segments[0]?.count, 1);
  });

  it('reports a process span that is not a child of the previous send span', () => {
    const b = new TraceBuilder('e'.repeat(32));
    const send = b.span('iomt-replay', 'send iomt.flows.raw', 'producer', [0, 1]);
    const pre = b.span('iomt-preprocess', 'process iomt.flows.raw', 'consumer', [2, 3], send);
    b.span('iomt-preprocess', 'send iomt.flows.scaled', 'producer', [2.5, 3], pre);
    // The window stage lost the context: its span hangs under the replay's send.
    b.span('iomt-window', 'process iomt.flows.scaled', 'consumer', [4, 5], send);
    b.span('iomt-score', 'process iomt.windows', 'consumer', [6, 7]);

    const outcome = traceOutcome(b.build());
    assert.deepEqual(outcome, {
      kind: 'incomplete',
      traceID: 'e'.repeat(32),
      reason: 'no iomt-window process span under the send span of iomt-preprocess',
    });
  });

  it('reports a trace without the replay or without a stage send span', () => {
    const b = new TraceBuilder('f'.repeat(32));
    b.span('iomt-score', 'process iomt.windows', 'consumer', [6, 7]);
    assert.deepEqual(traceOutcome(b.build()), {
      kind: 'incomplete',
      traceID: 'f'.repeat(32),
      reason: 'no iomt-replay spans',
    });

    const full = completeTrace('9'.repeat(32), timings([1, 1, 1], [1, 1, 1]));
    const withoutScoreSend = { ...full, spans: full.spans.slice(0, -1) };
    assert.deepEqual(traceOutcome(withoutScoreSend), {
      kind: 'incomplete',
      traceID: '9'.repeat(32),
      reason: 'no send span under the iomt-score process span',
    });
  });

  it('counts dead-lettered records apart, by stage and code', () => {
    const deadLetter = (id: string, extra: Record<string, string>) => {
      const b = new TraceBuilder(id);
      const send = b.span('iomt-replay', 'send iomt.flows.raw', 'producer', [0, 1]);
      const pre = b.span('iomt-preprocess', 'process iomt.flows.raw', 'consumer', [2, 3], send, {
        'otel.status_code': 'ERROR',
        ...extra,
      });
      b.span('iomt-preprocess', 'send iomt.dead-letter', 'producer', [2.5, 3], pre);
      return b.build();
    };
    const traces = [
      deadLetter('1'.repeat(32), { 'iomt.dead_letter.code': 'NOT_FINITE' }),
      deadLetter('2'.repeat(32), { 'iomt.dead_letter.code': 'NOT_FINITE' }),
      deadLetter('3'.repeat(32), { 'iomt.dead_letter.code': 'MISSING_VALUE' }),
      // ERROR without a code: the chunk was not committed, and no redelivery came after it.
      deadLetter('5'.repeat(32), {}),
      completeTrace('4'.repeat(32), timings([1, 1, 1], [1, 1, 1])),
    ];

    const report = latencyReport(traces, SOURCE);
    assert.equal(report.complete, 1);
    assert.equal(report.deadLettered.count, 3);
    assert.deepEqual(report.deadLettered.causes, [
      { stage: 'preprocess', code: 'NOT_FINITE', traces: 2 },
      { stage: 'preprocess', code: 'MISSING_VALUE', traces: 1 },
    ]);
    assert.deepEqual(report.incomplete.reasons, [
      { reason: 'iomt-preprocess did not commit the record', traces: 1, example: '5'.repeat(32) },
    ]);
  });

  it('measures the committed one of the process spans of a redelivered record', () => {
    const b = new TraceBuilder('7'.repeat(32));
    const send = b.span('iomt-replay', 'send iomt.flows.raw', 'producer', [0, 1]);
    // The first attempt's transaction was aborted; the chunk was fetched and processed again.
    const error = { 'otel.status_code': 'ERROR' };
    const tx = 'iomt.flows.raw';
    const aborted = b.span('iomt-preprocess', `process ${tx}`, 'consumer', [2, 4], send, error);
    b.span('iomt-preprocess', 'send iomt.flows.scaled', 'producer', [3, 4], aborted, error);
    let previous = b.span('iomt-preprocess', `process ${tx}`, 'consumer', [10, 12], send);
    // A later attempt that did not commit either would not count over the committed one.
    b.span('iomt-preprocess', `process ${tx}`, 'consumer', [20, 21], send, error);
    previous = b.span('iomt-preprocess', 'send iomt.flows.scaled', 'producer', [11, 12], previous);
    for (const [i, service] of (['iomt-window', 'iomt-score'] as const).entries()) {
      const from = 13 + i * 3;
      const process = b.span(service, 'process', 'consumer', [from, from + 2], previous);
      previous = b.span(service, 'send', 'producer', [from + 1, from + 2], process);
    }

    const report = latencyReport([b.build()], SOURCE);
    assert.equal(report.complete, 1);
    assert.equal(report.redelivered, 1);
    assert.equal(report.segments.find((s) => s.id === 'raw-wait')?.p50, 9);
    assert.equal(report.segments.find((s) => s.id === 'preprocess')?.p50, 2);
  });

  it('gives no percentiles and no period without traces, and notes a reached limit', () => {
    const empty = latencyReport([], SOURCE);
    assert.equal(empty.period, null);
    assert.ok(empty.segments.every((s) => s.count === 0 && s.p50 === null && s.max === null));
    assert.equal(empty.limitReached, false);

    const one = completeTrace('8'.repeat(32), timings([1, 1, 1], [1, 1, 1]));
    assert.equal(latencyReport([one], { ...SOURCE, limit: 1 }).limitReached, true);
  });

  it('formats milliseconds and look-backs for people', () => {
    assert.deepEqual([0.1234, 1.234, 12.34, 123.4, null].map(formatMs), [
      '0.123',
      '1.23',
      '12.3',
      '123',
      '—',
    ]);
    assert.deepEqual([3_600_000, 90_000, 900_000, 172_800_000, 1_500].map(describeLookback), [
      '1h',
      '90s',
      '15m',
      '2d',
      '1500ms',
    ]);
  });
});
