import { IOMT, MESSAGING } from '../telemetry/messaging-attributes.js';
import type { JaegerSpan, JaegerTrace } from './jaeger-client.js';
import { formatMs, STAGES, TRACE_SERVICES, traceOutcome, type Stage } from './latency.js';

/** The attributes of a span that `iomt trace` shows; those a span lacks are left out. */
export interface SpanFacts {
  partition?: string;
  offset?: number;
  /** Records in the chunk a stage span worked on. */
  chunk?: number;
  predicted?: string;
  modelVersion?: string;
  unknownAttack?: boolean;
  deadLetterCode?: string;
  /** The status description of a span whose status is ERROR ('' when it has none). */
  error?: string;
}

/** One span of the trace, with its children in start order. */
export interface TraceNode {
  spanID: string;
  /** The span it is a child of; null for a root. */
  parentSpanID: string | null;
  /** It names a parent that is not in the trace (that span was lost or not exported). */
  parentMissing: boolean;
  service: string;
  operation: string;
  /** `producer`, `consumer` or `internal`, when the span says. */
  kind: string | null;
  /** Milliseconds from the trace's first span start. */
  startMs: number;
  durationMs: number;
  facts: SpanFacts;
  children: TraceNode[];
}

/** Where the hops of a record's way are: replay, then the stages. */
export type Hop = 'replay' | Stage;

/** What became of the record, in one line's worth of fields. */
export interface TraceSummary {
  outcome: 'scored' | 'dead-lettered' | 'incomplete';
  /** The replay's send start to the score's send end; null unless scored. */
  endToEndMs: number | null;
  /** The first span's start to the last span's end. */
  spannedMs: number;
  /** The hops with spans in the trace, in pipeline order. */
  hops: Hop[];
  deadLetter: { hop: Hop; code: string } | null;
  /** What is missing, when the record's way has a gap. */
  gap: string | null;
  /** Some stage processed the record more than once (a chunk's transaction aborted). */
  redelivered: boolean;
  predicted: string | null;
  modelVersion: string | null;
}

/** One record's trace as a tree of spans, with a summary. */
export interface TraceTree {
  traceID: string;
  capture: string | null;
  seq: number | null;
  /** The first span's start, ISO 8601; null for a trace without spans. */
  startedAt: string | null;
  spanCount: number;
  /** Spans without a parent in the trace, in start order; normally the replay's send alone. */
  roots: TraceNode[];
  summary: TraceSummary;
}

const HOPS: readonly Hop[] = ['replay', ...STAGES];

/** Builds the tree of `trace`'s spans from their CHILD_OF references, and sums it up. */
export function traceTree(trace: JaegerTrace): TraceTree {
  const service = (span: JaegerSpan) => trace.processes[span.processID]?.serviceName ?? '?';
  const t0 = Math.min(...trace.spans.map((s) => s.startTime));
  const spans = [...trace.spans].sort(
    (a, b) => a.startTime - b.startTime || a.operationName.localeCompare(b.operationName),
  );

  const nodes = spans.map((span) => toNode(span, service(span), t0));
  const byId = new Map<string, TraceNode>();
  for (const node of nodes) if (!byId.has(node.spanID)) byId.set(node.spanID, node);
  const roots: TraceNode[] = [];
  for (const node of nodes) {
    const parent = node.parentSpanID === null ? undefined : byId.get(node.parentSpanID);
    if (parent) {
      parent.children.push(node);
    } else {
      node.parentMissing = node.parentSpanID !== null;
      roots.push(node);
    }
  }
  breakCycles(nodes, roots);

  const record = recordOf(spans);
  return {
    traceID: trace.traceID,
    capture: record.capture,
    seq: record.seq,
    startedAt: spans.length === 0 ? null : new Date(Math.floor(t0 / 1000)).toISOString(),
    spanCount: spans.length,
    roots,
    summary: summarise(trace, spans, service),
  };
}

function toNode(span: JaegerSpan, service: string, t0: number): TraceNode {
  const parent = span.references.find((r) => r.refType === 'CHILD_OF' && r.spanID !== span.spanID);
  const kind = tagOf(span, 'span.kind');
  return {
    spanID: span.spanID,
    parentSpanID: parent?.spanID ?? null,
    parentMissing: false,
    service,
    operation: span.operationName,
    kind: typeof kind === 'string' ? kind : null,
    startMs: (span.startTime - t0) / 1000,
    durationMs: span.duration / 1000,
    facts: factsOf(span),
    children: [],
  };
}

// Spans whose parents form a loop are reachable from no root: each such loop is cut at its
// earliest span, which becomes a root, so that rendering always ends.
function breakCycles(nodes: readonly TraceNode[], roots: TraceNode[]): void {
  const seen = new Set<TraceNode>();
  const visit = (node: TraceNode): void => {
    if (seen.has(node)) return;
    seen.add(node);
    node.children.forEach(visit);
  };
  roots.forEach(visit);

  for (const node of nodes) {
    if (seen.has(node)) continue;
    for (const other of nodes) other.children = other.children.filter((c) => c !== node);
    roots.push(node);
    visit(node);
  }
}

function factsOf(span: JaegerSpan): SpanFacts {
  const facts: SpanFacts = {};
  const text = (key: string) => {
    const value = tagOf(span, key);
    return value === undefined ? undefined : String(value);
  };
  const count = (key: string) => {
    const value = tagOf(span, key);
    if (typeof value === 'number') return value;
    return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;
  };

  const partition = text(MESSAGING.partition);
  if (partition !== undefined) facts.partition = partition;
  const offset = count(MESSAGING.offset);
  if (offset !== undefined) facts.offset = offset;
  const chunk = count(IOMT.chunkSize);
  if (chunk !== undefined) facts.chunk = chunk;
  const predicted = text(IOMT.predicted);
  if (predicted !== undefined) facts.predicted = predicted;
  const modelVersion = text(IOMT.modelVersion);
  if (modelVersion !== undefined) facts.modelVersion = modelVersion;
  if (tagOf(span, IOMT.unknownAttack) === true) facts.unknownAttack = true;
  const code = text(IOMT.deadLetterCode);
  if (code !== undefined) facts.deadLetterCode = code;
  if (tagOf(span, 'otel.status_code') === 'ERROR' || tagOf(span, 'error') === true) {
    facts.error = text('otel.status_description') ?? '';
  }
  return facts;
}

// The record's capture and seq, as the replay's send span (or else any span) carries them.
function recordOf(spans: readonly JaegerSpan[]): { capture: string | null; seq: number | null } {
  const carrier = spans.find((s) => tagOf(s, IOMT.capture) !== undefined);
  if (!carrier) return { capture: null, seq: null };
  const seq = Number(tagOf(carrier, IOMT.seq));
  return {
    capture: String(tagOf(carrier, IOMT.capture)),
    seq: tagOf(carrier, IOMT.seq) !== undefined && Number.isSafeInteger(seq) ? seq : null,
  };
}

function summarise(
  trace: JaegerTrace,
  spans: readonly JaegerSpan[],
  service: (span: JaegerSpan) => string,
): TraceSummary {
  const hopOf = (span: JaegerSpan): Hop | undefined => {
    const stage = tagOf(span, IOMT.stage);
    return HOPS.find((h) => h === stage) ?? HOPS.find((h) => TRACE_SERVICES[h] === service(span));
  };
  const present = new Set(spans.map(hopOf));
  const dead = spans.find((s) => tagOf(s, IOMT.deadLetterCode) !== undefined);
  const scored = [...spans].reverse().find((s) => tagOf(s, IOMT.predicted) !== undefined);
  const outcome = traceOutcome(trace);
  const ends = spans.map((s) => s.startTime + s.duration);
  const first = spans[0]?.startTime ?? 0;

  const summary: TraceSummary = {
    outcome: 'incomplete',
    endToEndMs: null,
    spannedMs: spans.length === 0 ? 0 : (Math.max(...ends) - first) / 1000,
    hops: HOPS.filter((h) => present.has(h)),
    deadLetter: null,
    gap: null,
    redelivered: outcome.kind === 'complete' && outcome.latency.redelivered,
    predicted: scored ? String(tagOf(scored, IOMT.predicted)) : null,
    modelVersion: scored ? String(tagOf(scored, IOMT.modelVersion) ?? '') || null : null,
  };
  if (dead) {
    const hop = hopOf(dead) ?? 'replay';
    summary.outcome = 'dead-lettered';
    summary.deadLetter = { hop, code: String(tagOf(dead, IOMT.deadLetterCode)) };
  } else if (outcome.kind === 'complete') {
    summary.outcome = 'scored';
    summary.endToEndMs = outcome.latency.segments['end-to-end'];
  } else if (outcome.kind === 'incomplete') {
    summary.gap = outcome.reason;
  }
  return summary;
}

function tagOf(span: JaegerSpan, key: string): string | number | boolean | undefined {
  return span.tags.find((t) => t.key === key)?.value;
}

/** Options of `renderTraceTree`. */
export interface RenderOptions {
  /** Other traces of the same record (a replay run more than once), newest first. */
  otherTraceIDs?: readonly string[];
}

const HEADER = ['span', 'service', 'start ms', 'dur ms', 'attributes'] as const;

/**
 * The tree as text: a header line, one line per span indented under its parent with its
 * service, start offset, duration and key attributes, then the summary line.
 */
export function renderTraceTree(tree: TraceTree, options: RenderOptions = {}): string {
  const rows: string[][] = [];
  const walk = (node: TraceNode, lead: string, branch: string) => {
    rows.push([
      `${lead}${branch}${node.operation}`,
      node.service,
      signedMs(node.startMs),
      formatMs(node.durationMs),
      describeFacts(node),
    ]);
    const under = lead + (branch === '├─ ' ? '│  ' : branch === '' ? '' : '   ');
    node.children.forEach((child, i) => {
      walk(child, under, i === node.children.length - 1 ? '└─ ' : '├─ ');
    });
  };
  tree.roots.forEach((root) => walk(root, '', ''));

  const record = tree.capture === null ? 'record unknown' : `${tree.capture}/${tree.seq ?? '?'}`;
  const lines = [
    `trace ${tree.traceID}  ${record}  ${tree.startedAt ?? '-'}  ${tree.spanCount} spans`,
    ...table([[...HEADER], ...rows]),
    summaryLine(tree.summary),
  ];
  const others = options.otherTraceIDs ?? [];
  if (others.length > 0) {
    const traces = others.length === 1 ? 'trace' : 'traces';
    lines.push(
      `${others.length} other ${traces} of ${record} (replayed more than once), ` +
        `older: ${others.join(', ')} (show one with --trace-id)`,
    );
  }
  return lines.join('\n');
}

// Columns padded to their widest cell, the times right-aligned; no trailing blanks.
function table(rows: readonly string[][]): string[] {
  const widths = HEADER.map((_, c) => Math.max(...rows.map((r) => [...(r[c] ?? '')].length)));
  const right = new Set([2, 3]);
  return rows.map((row) =>
    row
      .map((cell, c) => {
        const pad = ' '.repeat((widths[c] ?? 0) - [...cell].length);
        return right.has(c) ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd(),
  );
}

function describeFacts(node: TraceNode): string {
  const { facts } = node;
  const parts: string[] = [];
  if (node.parentMissing) parts.push(`parent ${node.parentSpanID} not in trace`);
  if (facts.partition !== undefined) parts.push(`partition=${facts.partition}`);
  if (facts.offset !== undefined) parts.push(`offset=${facts.offset}`);
  if (facts.chunk !== undefined) parts.push(`chunk=${facts.chunk}`);
  if (facts.predicted !== undefined) parts.push(`predicted=${facts.predicted}`);
  if (facts.modelVersion !== undefined) parts.push(`model=${facts.modelVersion}`);
  if (facts.unknownAttack) parts.push('unknown-attack');
  if (facts.deadLetterCode !== undefined) parts.push(`dead-letter=${facts.deadLetterCode}`);
  if (facts.error !== undefined) {
    parts.push(facts.error === '' ? 'error' : `error=${JSON.stringify(facts.error)}`);
  }
  return parts.join(' ');
}

function signedMs(ms: number): string {
  return ms < 0 ? `-${formatMs(-ms)}` : formatMs(ms);
}

/** The record's fate in one line: scored or dead-lettered or a gap, how long, which hops. */
export function summaryLine(summary: TraceSummary): string {
  // A dead-lettered record did not pass the hop that dead-lettered it.
  const end = summary.deadLetter ? summary.hops.indexOf(summary.deadLetter.hop) : -1;
  const passed = end === -1 ? summary.hops : summary.hops.slice(0, end);
  const way = `passed ${passed.join(' → ') || 'no hop'}`;
  const parts: string[] = [];
  if (summary.outcome === 'scored') {
    const model = summary.modelVersion === null ? '' : ` by model ${summary.modelVersion}`;
    const verdict = summary.predicted === null ? 'scored' : `scored ${summary.predicted}`;
    parts.push(`${verdict}${model}, ${formatMs(summary.endToEndMs)} ms end to end`);
  } else if (summary.outcome === 'dead-lettered' && summary.deadLetter) {
    const { hop, code } = summary.deadLetter;
    parts.push(`dead-lettered at ${hop} (${code}), ${formatMs(summary.spannedMs)} ms spanned`);
  } else {
    parts.push(`not scored: ${summary.gap ?? 'its way has a gap'}`);
    parts.push(`${formatMs(summary.spannedMs)} ms spanned`);
  }
  parts.push(way);
  if (summary.redelivered) parts.push('redelivered (a chunk was retried)');
  return parts.join('; ');
}
