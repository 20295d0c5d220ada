import assert from 'node:assert/strict';

import { JaegerClient, type JaegerTrace } from '../../services/downstream/jaeger-client.js';

// The Jaeger of infra/jaeger/start.sh (or IOMT_JAEGER_URL and IOMT_OTLP_ENDPOINT) for the
// integration tests. Without one they skip, unless IOMT_REQUIRE_JAEGER is set (as CI does), when
// they fail instead.

/** The query API and UI, without a trailing slash. */
export const jaegerUrl = (process.env.IOMT_JAEGER_URL || 'http://127.0.0.1:16686').replace(
  /\/+$/,
  '',
);
/** The OTLP/HTTP receiver's base URL; traces go to `${otlpEndpoint}/v1/traces`. */
export const otlpEndpoint = (process.env.IOMT_OTLP_ENDPOINT || 'http://127.0.0.1:4318').replace(
  /\/+$/,
  '',
);
const REQUIRED = Boolean(process.env.IOMT_REQUIRE_JAEGER);
const PROBE_MS = 5_000;

async function probe(): Promise<string | undefined> {
  try {
    await new JaegerClient({ url: jaegerUrl, timeoutMs: PROBE_MS }).services();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }

  // An empty export request is accepted by a receiver that is up, and stores nothing.
  try {
    const response = await fetch(`${otlpEndpoint}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(PROBE_MS),
    });
    await response.arrayBuffer();
    if (!response.ok) return `OTLP at ${otlpEndpoint} answered HTTP ${response.status}`;
  } catch (error) {
    const cause = error instanceof Error ? (error.cause ?? error) : error;
    return `OTLP at ${otlpEndpoint}: ${cause instanceof Error ? cause.message : String(cause)}`;
  }
  return undefined;
}

let probed: Promise<string | undefined> | undefined;

/** Why no Jaeger answers at the configured addresses, or undefined when one does (asked once). */
export function probeJaeger(): Promise<string | undefined> {
  probed ??= probe();
  return probed;
}

/**
 * True when `problem` (from probeJaeger) says there is no Jaeger, after skipping the test `t`;
 * fails it instead when IOMT_REQUIRE_JAEGER is set. False when Jaeger answered.
 */
export function skipWithoutJaeger(
  t: { skip: (message: string) => void },
  problem: string | undefined,
): boolean {
  if (problem === undefined) return false;
  if (REQUIRED) assert.fail(`no Jaeger at ${jaegerUrl} (IOMT_REQUIRE_JAEGER is set): ${problem}`);
  t.skip(`no Jaeger at ${jaegerUrl} (${problem}); run infra/jaeger/start.sh`);
  return true;
}

/**
 * Asks `ask` again every 250 ms until `done` holds for its answer, and returns that answer:
 * spans reach the query API a moment after their export (the collector batches them). Fails
 * after `timeoutMs`.
 */
export async function untilJaegerHas<T>(
  ask: () => Promise<T>,
  done: (answer: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let answer = await ask();
  while (!done(answer)) {
    assert.ok(Date.now() < deadline, `Jaeger did not have what was asked within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    answer = await ask();
  }
  return answer;
}

/**
 * The traces of the records of `capture` in which `service` has a span, once Jaeger holds at
 * least `spans` spans of them (the traces of a test's own captures, whatever else it holds).
 */
export function tracesOfCapture(
  service: string,
  capture: string,
  spans: number,
): Promise<JaegerTrace[]> {
  const client = new JaegerClient({ url: jaegerUrl });
  return untilJaegerHas(
    () =>
      client.findTraces({
        service,
        lookbackMs: 600_000,
        limit: 100,
        tags: { 'iomt.capture': capture },
      }),
    (found) => found.reduce((n, t) => n + t.spans.length, 0) >= spans,
  );
}
