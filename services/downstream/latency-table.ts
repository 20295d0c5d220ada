import Table from 'cli-table3';

import { describeLookback, formatMs } from './latency.js';
import type { LatencyReport } from './latency.js';

/** Colours only on a terminal, so piped output stays plain text. */
function makeTable(head: string[]): Table.Table {
  const style = process.stdout.isTTY ? {} : { style: { head: [], border: [] } };
  return new Table({ head, ...style });
}

/** One line naming the traces' source and what became of them. */
export function latencyHeadline(report: LatencyReport): string {
  const { source } = report;
  const limit = report.limitReached ? ` (the limit of ${source.limit}: older traces left out)` : '';
  const counts = [
    `complete ${report.complete}`,
    `incomplete ${report.incomplete.count}`,
    `dead-lettered ${report.deadLettered.count}`,
    ...(report.redelivered > 0 ? [`redelivered ${report.redelivered}`] : []),
  ].join(' | ');
  return (
    `traces with a span of ${source.service} in Jaeger at ${source.jaeger}, ` +
    `last ${describeLookback(source.lookbackMs)}: ${report.traces}${limit}\n${counts}`
  );
}

/**
 * The report as text: the headline, one row per segment with its percentiles over the complete
 * traces, then what the other traces lacked and what clock skew was clamped.
 */
export function latencyTable(report: LatencyReport): string {
  const table = makeTable(['segment', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'traces']);
  for (const s of report.segments) {
    const cells = [s.p50, s.p95, s.p99, s.max].map(formatMs);
    table.push([s.label, ...cells, String(s.count)]);
  }

  const notes: string[] = [];
  if (report.complete === 0) notes.push('no complete trace: no percentiles');
  for (const r of report.incomplete.reasons) {
    notes.push(`incomplete: ${r.traces} with ${r.reason} (e.g. trace ${r.example})`);
  }
  for (const c of report.deadLettered.causes) {
    notes.push(`dead-lettered: ${c.traces} at ${c.stage} (${c.code})`);
  }
  for (const s of report.segments) {
    if (s.clamped > 0) notes.push(`${s.label}: ${s.clamped} negative (clock skew) counted as 0`);
  }
  return [latencyHeadline(report), table.toString(), ...notes].join('\n');
}
