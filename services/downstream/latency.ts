import { quantile } from '../../pipelines/models/anomaly.js';
import type { JaegerSpan, JaegerTrace } from './jaeger-client.js';

/** The stages a record passes through after the replay, in order. */
export const STAGES = ['preprocess', 'window', 'score'] as const;
export type Stage = (typeof STAGES)[number];

/** The resource `service.name` of each hop's spans. */
export const TRACE_SERVICES: Readonly<Record<'replay' | Stage, string>> = {
  replay: 'iomt-replay',
  preprocess: 'iomt-preprocess',
  window: 'iomt-window',
  score: 'iomt-score',
};

export type SegmentId =
  | 'replay'
  | 'raw-wait'
  | 'preprocess'
  | 'scaled-wait'
  | 'window'
  | 'windows-wait'
  | 'score'
  | 'end-to-end';

/** send: the replay's produce; wait: time in Kafka between two hops; stage: one stage's work. */
export type SegmentKind = 'send' | 'wait' | 'stage' | 'total';

/** The segments of a record's way, in order, with how reports name them. */
export const SEGMENTS: readonly { id: SegmentId; label: string; kind: SegmentKind }[] = [
  { id: 'replay', label: 'replay send', kind: 'send' },
  { id: 'raw-wait', label: 'raw → preprocess wait', kind: 'wait' },
  { id: 'preprocess', label: 'preprocess', kind: 'stage' },
  { id: 'scaled-wait', label: 'scaled → window wait', kind: 'wait' },
  { id: 'window', label: 'window', kind: 'stage' },
  { id: 'windows-wait', label: 'windows → score wait', kind: 'wait' },
  { id: 'score', label: 'score', kind: 'stage' },
  { id: 'end-to-end', label: 'end to end', kind: 'total' },
];

/** One complete trace's segments, in milliseconds. */
export interface TraceLatency {
  traceID: string;
  /** The replay's send start, milliseconds since the epoch. */
  startMs: number;
  segments: Record<SegmentId, number>;
  /** Segments whose raw value was negative (clock skew between hosts) and was set to 0. */
  clamped: SegmentId[];
  /** A stage processed the record more than once (a transaction aborted and retried). */
  redelivered: boolean;
}

/** What one trace says: a complete way, a record dead-lettered on the way, or a gap. */
export type TraceOutcome =
  | { kind: 'complete'; latency: TraceLatency }
  | { kind: 'dead-lettered'; traceID: string; stage: Stage; code: string }
  | { kind: 'incomplete'; traceID: string; reason: string };

/** Percentiles of one segment over the complete traces, in milliseconds (null without any). */
export interface SegmentLatency {
  id: SegmentId;
  label: string;
  kind: SegmentKind;
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  /** Traces in which this segment came out negative and was counted as 0. */
  clamped: number;
}

/** Where the traces came from, as the caller asked for them. */
export interface LatencySource {
  jaeger: string;
  service: string;
  lookbackMs: number;
  limit: number;
  /** When the traces were fetched, ISO 8601. */
  fetchedAt: string;
}

/** The report: the traces examined, what became of each, and the segments' percentiles. */
export interface LatencyReport {
  source: LatencySource;
  traces: number;
  /** The query returned as many traces as its limit: older ones were left out. */
  limitReached: boolean;
  complete: number;
  /** Complete traces in which some stage processed the record more than once. */
  redelivered: number;
  incomplete: { count: number; reasons: { reason: string; traces: number; example: string }[] };
  deadLettered: { count: number; causes: { stage: Stage; code: string; traces: number }[] };
  /** Earliest span start and latest span end over all traces examined, ISO 8601. */
  period: { from: string; to: string } | null;
  segments: SegmentLatency[];
}

const DEAD_LETTER_CODE = 'iomt.dead_letter.code';

/** Percentiles per segment over the complete traces, with every other trace accounted for. */
export function latencyReport(
  traces: readonly JaegerTrace[],
  source: LatencySource,
): LatencyReport {
  const outcomes = traces.map(traceOutcome);
  const complete = outcomes.flatMap((o) => (o.kind === 'complete' ? [o.latency] : []));

  const reasons = new Map<string, { traces: number; example: string }>();
  const causes = new Map<string, { stage: Stage; code: string; traces: number }>();
  for (const outcome of outcomes) {
    if (outcome.kind === 'incomplete') {
      const entry = reasons.get(outcome.reason) ?? { traces: 0, example: outcome.traceID };
      entry.traces += 1;
      reasons.set(outcome.reason, entry);
    } else if (outcome.kind === 'dead-lettered') {
      const key = `${outcome.stage}\u0000${outcome.code}`;
      const entry = causes.get(key) ?? { stage: outcome.stage, code: outcome.code, traces: 0 };
      entry.traces += 1;
      causes.set(key, entry);
    }
  }
  const deadLettered = [...causes.values()].sort((a, b) => b.traces - a.traces);

  return {
    source,
    traces: traces.length,
    limitReached: traces.length >= source.limit,
    complete: complete.length,
    redelivered: complete.filter((t) => t.redelivered).length,
    incomplete: {
      count: outcomes.length - complete.length - deadLettered.reduce((s, c) => s + c.traces, 0),
      reasons: [...reasons.entries()]
        .map(([reason, entry]) => ({ reason, ...entry }))
        .sort((a, b) => b.traces - a.traces),
    },
    deadLettered: {
      count: deadLettered.reduce((s, c) => s + c.traces, 0),
      causes: deadLettered,
    },
    period: period(traces),
    segments: SEGMENTS.map((segment) => segmentLatency(segment, complete)),
  };
}

function segmentLatency(
  segment: (typeof SEGMENTS)[number],
  traces: readonly TraceLatency[],
): SegmentLatency {
  const values = traces.map((t) => t.segments[segment.id]);
  const clamped = traces.filter((t) => t.clamped.includes(segment.id)).length;
  if (values.length === 0) {
    return { ...segment, count: 0, p50: null, p95: null, p99: null, max: null, clamped };
  }
  return {
    ...segment,
    count: values.length,
    p50: quantile(values, 0.5),
    p95: quantile(values, 0.95),
    p99: quantile(values, 0.99),
    max: Math.max(...values),
    clamped,
  };
}

function period(traces: readonly JaegerTrace[]): LatencyReport['period'] {
  let from = Infinity;
  let to = -Infinity;
  for (const trace of traces) {
    for (const span of trace.spans) {
      from = Math.min(from, span.startTime);
      to = Math.max(to, span.startTime + span.duration);
    }
  }
  if (!Number.isFinite(from)) return null;
  return { from: isoFromMicros(from), to: isoFromMicros(to) };
}

/**
 * Follows one record's way through a trace: the replay's send span, then for each stage the
 * process span that is a child of the previous hop's send span, and that process span's own
 * send span. A chunk that was not committed leaves its spans with status ERROR and no
 * dead-letter code, and its redelivery adds new ones under the same send span: the latest
 * committed one counts, so the attempts before it show in the wait.
 */
export function traceOutcome(trace: JaegerTrace): TraceOutcome {
  const { traceID } = trace;
  const service = (span: JaegerSpan) => trace.processes[span.processID]?.serviceName;
  const spansOf = (name: string) => trace.spans.filter((span) => service(span) === name);

  const replaySpans = spansOf(TRACE_SERVICES.replay);
  if (replaySpans.length === 0) {
    return { kind: 'incomplete', traceID, reason: `no ${TRACE_SERVICES.replay} spans` };
  }
  const sends = replaySpans.filter((span) => spanKind(span) === 'producer');
  const replaySend = latest(sends.filter((span) => parentOf(span) === undefined)) ?? latest(sends);
  if (!replaySend) {
    return { kind: 'incomplete', traceID, reason: `no send span of ${TRACE_SERVICES.replay}` };
  }

  let previous = { send: replaySend, service: TRACE_SERVICES.replay };
  const hops: Partial<Record<Stage, Hop>> = {};
  let redelivered = false;
  for (const stage of STAGES) {
    const name = TRACE_SERVICES[stage];
    const own = spansOf(name);
    if (own.length === 0) return { kind: 'incomplete', traceID, reason: `no ${name} spans` };

    const attempts = own.filter(
      (span) => spanKind(span) === 'consumer' && parentOf(span) === previous.send.spanID,
    );
    if (attempts.length === 0) {
      const reason = `no ${name} process span under the send span of ${previous.service}`;
      return { kind: 'incomplete', traceID, reason };
    }
    const process = latest(attempts.filter(committed));
    if (!process) {
      return { kind: 'incomplete', traceID, reason: `${name} did not commit the record` };
    }
    redelivered ||= attempts.length > 1;

    const code = tag(process, DEAD_LETTER_CODE);
    if (code !== undefined) return { kind: 'dead-lettered', traceID, stage, code: String(code) };

    const send = latest(
      own.filter((span) => spanKind(span) === 'producer' && parentOf(span) === process.spanID),
    );
    if (!send) {
      return { kind: 'incomplete', traceID, reason: `no send span under the ${name} process span` };
    }
    hops[stage] = { process, send };
    previous = { send, service: name };
  }

  const latency = measure(traceID, replaySend, hops as Record<Stage, Hop>, redelivered);
  return { kind: 'complete', latency };
}

// A dead letter is committed too: its process span is an error that carries the code.
function committed(span: JaegerSpan): boolean {
  return tag(span, 'otel.status_code') !== 'ERROR' || tag(span, DEAD_LETTER_CODE) !== undefined;
}

/** A stage's two spans for one record. */
interface Hop {
  process: JaegerSpan;
  send: JaegerSpan;
}

function measure(
  traceID: string,
  replay: JaegerSpan,
  hops: Readonly<Record<Stage, Hop>>,
  redelivered: boolean,
): TraceLatency {
  const { preprocess, window, score } = hops;
  const clamped: SegmentId[] = [];
  // Spans of different services carry their own hosts' clocks: a negative difference is skew,
  // counted as 0 and reported, not a record that arrived before it was sent.
  const between = (id: SegmentId, fromMicros: number, toMicros: number) => {
    const ms = (toMicros - fromMicros) / 1000;
    if (ms >= 0) return ms;
    clamped.push(id);
    return 0;
  };

  const segments: Record<SegmentId, number> = {
    replay: replay.duration / 1000,
    'raw-wait': between('raw-wait', end(replay), preprocess.process.startTime),
    preprocess: preprocess.process.duration / 1000,
    'scaled-wait': between('scaled-wait', end(preprocess.send), window.process.startTime),
    window: window.process.duration / 1000,
    'windows-wait': between('windows-wait', end(window.send), score.process.startTime),
    score: score.process.duration / 1000,
    'end-to-end': between('end-to-end', replay.startTime, end(score.send)),
  };
  return { traceID, startMs: replay.startTime / 1000, segments, clamped, redelivered };
}

function spanKind(span: JaegerSpan): string | undefined {
  const value = tag(span, 'span.kind');
  return typeof value === 'string' ? value : undefined;
}

function parentOf(span: JaegerSpan): string | undefined {
  return span.references.find((ref) => ref.refType === 'CHILD_OF')?.spanID;
}

function tag(span: JaegerSpan, key: string): string | number | boolean | undefined {
  return span.tags.find((t) => t.key === key)?.value;
}

function latest(spans: readonly JaegerSpan[]): JaegerSpan | undefined {
  let best: JaegerSpan | undefined;
  for (const span of spans) {
    if (!best || span.startTime > best.startTime) best = span;
  }
  return best;
}

function end(span: JaegerSpan): number {
  return span.startTime + span.duration;
}

function isoFromMicros(micros: number): string {
  return new Date(Math.floor(micros / 1000)).toISOString();
}

/** Milliseconds for a table: three significant digits at least, no exponent. */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

/** How long `ms` is in the largest unit that keeps it whole, e.g. `1h`, `90s`. */
export function describeLookback(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1_000, 's'],
  ];
  const unit = units.find(([size]) => ms % size === 0);
  return unit ? `${ms / unit[0]}${unit[1]}` : `${ms}ms`;
}
