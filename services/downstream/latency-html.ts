import { REPORT_CSS } from '../../pipelines/evaluation/report-style.js';
import { groupedBarChart } from '../../pipelines/evaluation/svg/bar-chart.js';
import { PALETTE, escapeXml as esc, niceTicks } from '../../pipelines/evaluation/svg/common.js';
import { describeLookback, formatMs } from './latency.js';
import type { LatencyReport, SegmentLatency } from './latency.js';

/** Options of `renderLatencyReport`. */
export interface LatencyHtmlOptions {
  /** The page title. Default 'IoMT pipeline: latency per stage'. */
  title?: string;
}

const PERCENTILES: { key: 'p50' | 'p95' | 'p99'; name: string; color: string }[] = [
  { key: 'p50', name: 'p50', color: PALETTE.sequential[2] },
  { key: 'p95', name: 'p95', color: PALETTE.sequential[4] },
  { key: 'p99', name: 'p99', color: PALETTE.sequential[6] },
];

/**
 * The latency report as one self-contained HTML page, in the evaluation report's style: inline
 * CSS and SVG, no script, nothing fetched. Every string from the traces is escaped.
 */
export function renderLatencyReport(
  report: LatencyReport,
  options: LatencyHtmlOptions = {},
): string {
  const title = options.title ?? 'IoMT pipeline: latency per stage';
  const body = [header(report, title), segmentsSection(report), unmeasuredSection(report)];
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title><style>${REPORT_CSS}</style></head>`,
    `<body><main>${body.join('')}</main></body></html>`,
  ].join('\n');
}

function header(report: LatencyReport, title: string): string {
  const { source } = report;
  const facts: [string, string][] = [
    ['Jaeger', source.jaeger],
    ['Traces with a span of', source.service],
    ['Looked back', describeLookback(source.lookbackMs)],
    ['Traces', String(report.traces)],
    ['Complete', String(report.complete)],
    ['Incomplete', String(report.incomplete.count)],
    ['Dead-lettered', String(report.deadLettered.count)],
  ];
  if (report.period) facts.push(['Spans from', `${report.period.from} to ${report.period.to}`]);
  const chips = facts
    .map(([name, value]) => `<div class="fact"><dt>${esc(name)}</dt><dd>${esc(value)}</dd></div>`)
    .join('');

  const banners: string[] = [];
  if (report.limitReached) {
    banners.push(
      `Jaeger returned the limit of ${source.limit} traces: older traces of the period were ` +
        'left out.',
    );
  }
  if (report.complete === 0) banners.push('No complete trace: there is nothing to measure.');
  return (
    `<header><h1>${esc(title)}</h1><p class="subtitle">Traces fetched ${esc(source.fetchedAt)}` +
    `</p><dl class="facts">${chips}</dl>` +
    banners.map((b) => `<p class="banner">${esc(b)}</p>`).join('') +
    '</header>'
  );
}

function provenance(report: LatencyReport): string {
  const { source } = report;
  return (
    `${report.complete} complete traces of ${report.traces} with a span of ${source.service}, ` +
    `from Jaeger at ${source.jaeger}, last ${describeLookback(source.lookbackMs)}`
  );
}

function segmentsSection(report: LatencyReport): string {
  const what =
    "p50, p95 and p99 of each segment of a record's way, in milliseconds: the replay's send, " +
    "each wait in Kafka (the next stage's process start minus the previous send end), each " +
    "stage's processing (from its chunk's start to its transaction's commit) and end to end " +
    "(the replay's send start to the score stage's send end).";
  const chart =
    report.complete > 0
      ? `<figure class="figure wide">${segmentsChart(report.segments)}<figcaption>` +
        `${esc(what)} <span class="provenance">Data: ${esc(provenance(report))}.</span>` +
        '</figcaption></figure>'
      : '';
  const redelivered =
    report.redelivered > 0
      ? `<p class="note">In ${report.redelivered} complete traces a stage processed the ` +
        'record more than once (an aborted transaction, then the committed one); the ' +
        'committed one is measured.</p>'
      : '';
  return section('segments', 'Latency per segment', chart + segmentsTable(report) + redelivered);
}

function segmentsChart(segments: readonly SegmentLatency[]): string {
  const highest = Math.max(...segments.map((s) => s.p99 ?? 0));
  const top = roundUp(highest);
  return groupedBarChart({
    id: 'fig-latency-segments',
    title: 'Latency per segment: p50, p95, p99',
    groups: segments.map((s) => s.label),
    series: PERCENTILES.map((p) => ({
      name: p.name,
      color: p.color,
      values: segments.map((s) => s[p.key] ?? 0),
    })),
    yLabel: 'milliseconds',
    yDomain: [0, top],
    yFormat: (v) => String(v),
    valueFormat: (v) => `${formatMs(v)} ms`,
  });
}

// The smallest round tick at or above `value`, so the tallest bar stays inside the plot.
function roundUp(value: number): number {
  if (!(value > 0)) return 1;
  const ticks = niceTicks(0, value, 5);
  const step = (ticks[1] ?? value) - (ticks[0] ?? 0);
  return Math.ceil(value / step - 1e-9) * step;
}

function segmentsTable(report: LatencyReport): string {
  const head = ['p50', 'p95', 'p99', 'max', 'traces', 'clamped']
    .map((name) => `<th scope="col" class="num">${name}</th>`)
    .join('');
  const rows = report.segments.map((s) => {
    const cells = [s.p50, s.p95, s.p99, s.max].map((v) => `<td class="num">${formatMs(v)}</td>`);
    const strong = s.kind === 'total' ? ' class="strong"' : '';
    return (
      `<tr><th scope="row"${strong}>${esc(s.label)}</th>${cells.join('')}` +
      `<td class="num">${s.count}</td><td class="num">${s.clamped}</td></tr>`
    );
  });
  const caption =
    `<caption>Milliseconds over the complete traces; clamped: waits that came out negative ` +
    `(clock skew between hosts) and were counted as 0. ` +
    `<span class="provenance">Data: ${esc(provenance(report))}.</span></caption>`;
  return (
    `<table class="scores">${caption}<thead><tr><th scope="col">Segment</th>${head}</tr>` +
    `</thead><tbody>${rows.join('')}</tbody></table>`
  );
}

function unmeasuredSection(report: LatencyReport): string {
  const items = [
    ...report.incomplete.reasons.map(
      (r) =>
        `<li>${r.traces} incomplete: ${esc(r.reason)} ` +
        `<span class="note">(e.g. trace ${esc(r.example)})</span></li>`,
    ),
    ...report.deadLettered.causes.map(
      (c) => `<li>${c.traces} dead-lettered at ${esc(c.stage)}: ${esc(c.code)}</li>`,
    ),
  ];
  const body =
    items.length > 0
      ? `<ul>${items.join('')}</ul>`
      : '<p class="note">Every trace examined was complete.</p>';
  return section('unmeasured', 'Traces not measured', body);
}

function section(id: string, title: string, body: string): string {
  return `<section id="${esc(id)}"><h2>${esc(title)}</h2>${body}</section>`;
}
