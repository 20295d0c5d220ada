import { setTimeout as sleep } from 'node:timers/promises';

import type { Logger } from 'pino';

/** How `retryWithBackoff` waits between tries. Every field is optional. */
export interface BackoffOptions {
  /** Milliseconds before the second try. Default 200. */
  initialMs?: number;
  /** The longest wait between tries, in milliseconds. Default 10000. */
  maxMs?: number;
  /** Each wait is the previous one times this. Default 2. */
  factor?: number;
  /** Tries in all before the last error is thrown; default unlimited. */
  maxAttempts?: number;
  /** Stops waiting (and throws the last error) once aborted. */
  signal?: AbortSignal;
}

/** The defaults, in one place. */
export const BACKOFF_DEFAULTS = Object.freeze({ initialMs: 200, maxMs: 10_000, factor: 2 });

/** The wait before try `attempt + 1` (attempt counts from 1), capped at `maxMs`. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialMs ?? BACKOFF_DEFAULTS.initialMs;
  const max = options.maxMs ?? BACKOFF_DEFAULTS.maxMs;
  const factor = options.factor ?? BACKOFF_DEFAULTS.factor;
  return Math.min(max, initial * factor ** Math.max(0, attempt - 1));
}

/**
 * Runs `task` until it succeeds, waiting exponentially longer between tries and logging each
 * retry with the error that caused it. Used where a broker may be down: at start, and after a
 * client lost its connection.
 */
export async function retryWithBackoff<T>(
  what: string,
  task: (attempt: number) => Promise<T>,
  logger: Logger,
  options: BackoffOptions = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await task(attempt);
    } catch (error) {
      const last = options.maxAttempts !== undefined && attempt >= options.maxAttempts;
      if (last || options.signal?.aborted) throw error;

      const delayMs = backoffDelay(attempt, options);
      logger.warn(
        { what, attempt, delayMs, err: error instanceof Error ? error.message : String(error) },
        'retrying after failure',
      );
      try {
        await sleep(delayMs, undefined, { signal: options.signal });
      } catch {
        throw error;
      }
    }
  }
}
