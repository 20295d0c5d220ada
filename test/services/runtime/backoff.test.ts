import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { pino } from 'pino';

import { backoffDelay, retryWithBackoff } from '../../../services/runtime/backoff.js';

/** A logger that keeps its lines, parsed. */
function recordingLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = {
    write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>),
  };
  return { logger: pino({ level: 'debug' }, stream), lines };
}

describe('backoffDelay', () => {
  it('doubles from the initial wait up to the cap', () => {
    const options = { initialMs: 100, maxMs: 1000 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, options)),
      [100, 200, 400, 800, 1000, 1000],
    );
  });
});

describe('retryWithBackoff', () => {
  it('retries until the task succeeds, logging each retry', async () => {
    const { logger, lines } = recordingLogger();
    const answer = await retryWithBackoff(
      'connect',
      (attempt) => (attempt < 3 ? Promise.reject(new Error('down')) : Promise.resolve(attempt)),
      logger,
      { initialMs: 1 },
    );

    assert.equal(answer, 3);
    const retries = lines.filter((l) => l.msg === 'retrying after failure');
    assert.deepEqual(
      retries.map((l) => [l.attempt, l.err, l.what]),
      [
        [1, 'down', 'connect'],
        [2, 'down', 'connect'],
      ],
    );
  });

  it('throws the last error after maxAttempts tries', async () => {
    const { logger } = recordingLogger();
    let tries = 0;
    await assert.rejects(
      retryWithBackoff('x', () => Promise.reject(new Error(`try ${++tries}`)), logger, {
        initialMs: 1,
        maxAttempts: 3,
      }),
      /try 3/,
    );
    assert.equal(tries, 3);
  });

  it('stops waiting once aborted', async () => {
    const { logger } = recordingLogger();
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 20);
    const started = Date.now();
    await assert.rejects(
      retryWithBackoff('x', () => Promise.reject(new Error('down')), logger, {
        initialMs: 60_000,
        signal: stop.signal,
      }),
      /down/,
    );
    assert.ok(Date.now() - started < 5_000);
  });
});
