import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { renderLatencyReport } from '../../../services/downstream/latency-html.js';
import { latencyTable } from '../../../services/downstream/latency-table.js';
import { SEGMENTS, type LatencyReport } from '../../../services/downstream/latency.js';

function report(overrides: Partial<LatencyReport> = {}): LatencyReport {
  return {
    source: {
      jaeger: 'http://127.0.0.1:16686',
      service: 'iomt-score',
      lookbackMs: 900_000,
      limit: 1000,
      fetchedAt: '2026-01-01T00:00:00.000Z',
    },
    traces: 12,
    limitReached: false,
    complete: 10,
    redelivered: 1,
    incomplete: {
      count: 1,
      reasons: [{ reason: 'no iomt-window spans', traces: 1, example: 'ab'.repeat(16) }],
    },
    deadLettered: { count: 1, causes: [{ stage: 'score', code: 'NOT_FINITE', traces: 1 }] },
    period: { from: '2026-01-01T00:00:00.000Z', to: '2026-01-01T00:01:00.000Z' },
    segments: SEGMENTS.map((s, i) => ({
      ...s,
      count: 10,
      p50: i + 1,
      p95: (i + 1) * 2,
      p99: (i + 1) * 3,
      max: (i + 1) * 4,
      clamped: s.kind === 'wait' ? 1 : 0,
    })),
    ...overrides,
  };
}

describe('latency report as a table and a page', () => {
  it('prints one row per segment and every trace that was not measured', () => {
    const text = latencyTable(report());
    assert.match(text, /traces with a span of iomt-score .* last 15m: 12\n/);
    assert.match(text, /complete 10 \| incomplete 1 \| dead-lettered 1 \| redelivered 1/);
    for (const s of SEGMENTS) assert.ok(text.includes(s.label), s.label);
    assert.match(text, /end to end\s*│\s*8.00\s*│\s*16.0\s*│\s*24.0\s*│\s*32.0\s*│\s*10/);
    assert.match(text, /incomplete: 1 with no iomt-window spans \(e\.g\. trace abab/);
    assert.match(text, /dead-lettered: 1 at score \(NOT_FINITE\)/);
    assert.match(text, /raw → preprocess wait: 1 negative \(clock skew\) counted as 0/);
  });

  it('is one page with inline SVG, no script and nothing fetched', () => {
    const html = renderLatencyReport(report());
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /<svg [^>]*id="fig-latency-segments"/);
    assert.doesNotMatch(html, /<script|<link|<img|\bsrc=|@import|url\(/i);
    for (const [, target] of html.matchAll(/href="([^"]*)"/g)) assert.match(target ?? '', /^#/);
    for (const s of SEGMENTS) assert.ok(html.includes(s.label), s.label);
    assert.match(html, /1 dead-lettered at score: NOT_FINITE/);
  });

  it('escapes what comes from the traces and says when there is nothing to draw', () => {
    const html = renderLatencyReport(
      report({
        complete: 0,
        limitReached: true,
        source: { ...report().source, service: '<b>svc</b>' },
        incomplete: { count: 1, reasons: [{ reason: '<i>x</i>', traces: 1, example: 'a&b' }] },
        segments: SEGMENTS.map((s) => ({
          ...s,
          count: 0,
          p50: null,
          p95: null,
          p99: null,
          max: null,
          clamped: 0,
        })),
      }),
    );
    assert.doesNotMatch(html, /<b>svc|<i>x/);
    assert.match(html, /&lt;b&gt;svc&lt;\/b&gt;/);
    assert.match(html, /a&amp;b/);
    assert.doesNotMatch(html, /<svg/);
    assert.match(html, /No complete trace/);
    assert.match(html, /the limit of 1000 traces/);
  });
});
