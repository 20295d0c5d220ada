import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import type { TraceTree } from '../../services/downstream/trace-tree.js';
import {
  jaegerUrl,
  otlpEndpoint,
  probeJaeger,
  skipWithoutJaeger,
  tracesOfCapture,
} from '../helpers/jaeger.js';
import { REPO_ROOT } from '../helpers/paths.js';
import {
  SYNTHETIC_MODEL_VERSION,
  SyntheticTraces,
  syntheticSpanCount,
  type SyntheticSegment,
} from '../helpers/synthetic-traces.js';

// `iomt trace` as a process against the real Jaeger of infra/jaeger/start.sh, reading back
// synthetic traces that follow the span contract: one record replayed twice, one dead-lettered.

const CLI = join(REPO_ROOT, 'dist', 'services', 'cli', 'main.js');

/** Every segment takes 2 ms: 14 ms end to end, and every time is exact in microseconds. */
const EVERY = (_segment: SyntheticSegment) => 2;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function iomt(jaeger: string, ...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], {
      timeout: 60_000,
      env: { ...process.env, IOMT_JAEGER_URL: jaeger, IOMT_LOG_LEVEL: 'warn' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('iomt trace against a real Jaeger', { timeout: 120_000 }, () => {
  const capture = `trace-test-${randomBytes(6).toString('hex')}`;
  let synthetic: SyntheticTraces | undefined;
  let problem: string | undefined;
  /** The record's first replay, its second, and the dead-lettered record's. */
  const ids = { first: '', second: '', deadLettered: '' };

  before(async () => {
    problem = await probeJaeger();
    if (problem !== undefined) return;

    synthetic = new SyntheticTraces(otlpEndpoint, 'trace-test');
    const t0 = Math.floor(Date.now() / 1000) * 1000 - 120_000;
    ids.first = synthetic.emit({ capture, seq: 3, ending: 'scored' }, t0, EVERY);
    ids.second = synthetic.emit(
      { capture, seq: 3, ending: 'scored', predicted: 'TCP_IP-DDoS-SYN', offset: 40 },
      t0 + 60_000,
      EVERY,
    );
    ids.deadLettered = synthetic.emit({ capture, seq: 4, ending: 'dead-lettered' }, t0, EVERY);
    await synthetic.flush();

    const spans = 2 * syntheticSpanCount('scored') + syntheticSpanCount('dead-lettered');
    await tracesOfCapture('iomt-replay', capture, spans);
  });

  after(async () => {
    await synthetic?.shutdown();
  });

  it("prints the newest trace of a record as a tree, and names the record's other trace", async (t) => {
    if (skipWithoutJaeger(t, problem)) return;
    const { code, stdout, stderr } = await iomt(jaegerUrl, 'trace', `${capture}/3`);
    assert.equal(code, 0, stderr);

    const lines = stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', new RegExp(`^trace ${ids.second}  ${capture}/3  \\S+  10 spans$`));
    assert.match(lines[1] ?? '', /^span +service +start ms +dur ms +attributes$/);
    assert.match(lines[2] ?? '', /^send iomt\.flows\.raw +iomt-replay +0\.000 +2\.00$/);
    assert.match(
      stdout,
      /^└─ process iomt\.flows\.raw +iomt-preprocess +4\.00 +2\.00 +partition=0 offset=40$/m,
    );
    assert.match(stdout, /^ {3}├─ preprocess +iomt-preprocess /m);
    assert.match(
      stdout,
      new RegExp(
        `^ {12}└─ process iomt\\.windows +iomt-score +12\\.0 +2\\.00 +partition=0 offset=40 ` +
          `predicted=TCP_IP-DDoS-SYN model=${SYNTHETIC_MODEL_VERSION}$`,
        'm',
      ),
    );
    assert.match(stdout, /^ {15}└─ send iomt\.scores +iomt-score +13\.0 +1\.00$/m);
    assert.equal(
      lines.at(-2),
      `scored TCP_IP-DDoS-SYN by model ${SYNTHETIC_MODEL_VERSION}, 14.0 ms end to end; ` +
        'passed replay → preprocess → window → score',
    );
    assert.equal(
      lines.at(-1),
      `1 other trace of ${capture}/3 (replayed more than once), older: ${ids.first} ` +
        '(show one with --trace-id)',
    );
  });

  it('says where a record was dead-lettered', async (t) => {
    if (skipWithoutJaeger(t, problem)) return;
    const { code, stdout, stderr } = await iomt(jaegerUrl, 'trace', `${capture}/4`);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /process iomt\.windows .* dead-letter=NOT_FINITE error="NaN feature"$/m);
    assert.match(stdout, /^ {15}└─ send iomt\.dead-letter +iomt-score /m);
    assert.match(
      stdout.trimEnd().split('\n').at(-1) ?? '',
      /^dead-lettered at score \(NOT_FINITE\), 14\.0 ms spanned; passed replay → preprocess → window$/,
    );
  });

  it('prints a trace by its id as JSON', async (t) => {
    if (skipWithoutJaeger(t, problem)) return;
    const { code, stdout, stderr } = await iomt(
      jaegerUrl,
      'trace',
      '--trace-id',
      ids.first.toUpperCase(),
      '--json',
    );
    assert.equal(code, 0, stderr);
    const printed = JSON.parse(stdout) as TraceTree & { otherTraceIDs: string[] };
    assert.equal(printed.traceID, ids.first);
    assert.equal(printed.capture, capture);
    assert.equal(printed.seq, 3);
    assert.equal(printed.spanCount, 10);
    assert.deepEqual(printed.otherTraceIDs, []);
    assert.equal(printed.roots.length, 1);
    assert.equal(printed.roots[0]?.service, 'iomt-replay');
    assert.equal(printed.roots[0]?.children[0]?.operation, 'process iomt.flows.raw');
    assert.equal(printed.summary.outcome, 'scored');
    assert.equal(printed.summary.endToEndMs, 14);
    assert.equal(printed.summary.predicted, 'Benign');
  });

  it('fails in one line for a record without a trace, naming the lookback and the setting', async (t) => {
    if (skipWithoutJaeger(t, problem)) return;
    const missing = await iomt(jaegerUrl, 'trace', `${capture}/99`, '--lookback', '10m');
    assert.equal(missing.code, 1);
    assert.equal(missing.stdout, '');
    assert.equal(
      missing.stderr,
      `iomt: error: no trace of ${capture}/99 in Jaeger at ${jaegerUrl} over the last 10m ` +
        '(service iomt-replay); tracing must be on: OTEL_EXPORTER_OTLP_ENDPOINT on the services, ' +
        'or search further back with --lookback\n',
    );

    const id = await iomt(jaegerUrl, 'trace', '--trace-id', '0123456789abcdef0123456789abcdef');
    assert.equal(id.code, 1);
    assert.match(id.stderr, /^iomt: error: Jaeger at \S+ has no trace 0123456789abcdef/);
    assert.equal(id.stderr.split('\n').length, 2);
  });

  it('fails in one line when Jaeger is unreachable, and exits 2 for a bad argument', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const down = await iomt(`http://127.0.0.1:${port}`, 'trace', 'Benign_test/1');
    assert.equal(down.code, 1);
    assert.match(
      down.stderr,
      /^iomt: error: Jaeger at http:\/\/127\.0\.0\.1:\d+ did not answer .*ECONNREFUSED/,
    );
    assert.equal(down.stderr.split('\n').length, 2);

    for (const args of [
      ['trace'],
      ['trace', 'Benign_test'],
      ['trace', 'a/1', '--trace-id', 'ab'],
    ]) {
      const bad = await iomt(jaegerUrl, ...args);
      assert.equal(bad.code, 2, args.join(' '));
      assert.match(bad.stderr, /^iomt: error: <record>: /);
    }
  });
});
