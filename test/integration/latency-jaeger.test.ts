import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import type { JaegerTrace } from '../../services/downstream/jaeger-client.js';
import { latencyReport, type SegmentId } from '../../services/downstream/latency.js';
import {
  jaegerUrl,
  otlpEndpoint,
  probeJaeger,
  skipWithoutJaeger,
  tracesOfCapture,
} from '../helpers/jaeger.js';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import {
  SyntheticTraces,
  syntheticSpanCount,
  type SyntheticRecord,
} from '../helpers/synthetic-traces.js';

// Synthetic traces that follow the services' span contract, exported over OTLP to the real
// Jaeger of infra/jaeger/start.sh by one tracer provider per service, then read back through
// the query API: the report's numbers must be the ones the spans' explicit times give.

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

describe('iomt latency against a real Jaeger', { timeout: 120_000 }, () => {
  const capture = `latency-test-${randomBytes(6).toString('hex')}`;
  let synthetic: SyntheticTraces | undefined;
  let problem: string | undefined;
  let traces: JaegerTrace[] = [];

  before(async () => {
    problem = await probeJaeger();
    if (problem !== undefined) return;

    synthetic = new SyntheticTraces(otlpEndpoint, 'latency-test');
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
    for (const [i, record] of records.entries()) {
      const j = i % COMPLETE;
      synthetic.emit({ ...record, offset: j }, t0 + i * 1000, (id) => at(id, j));
    }
    await synthetic.flush();

    const spans = records.reduce((n, r) => n + syntheticSpanCount(r.ending), 0);
    traces = await tracesOfCapture('iomt-score', capture, spans);
  });

  after(async () => {
    await synthetic?.shutdown();
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
