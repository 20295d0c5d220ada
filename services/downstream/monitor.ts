import { InvalidOptionError } from '../../schemas/errors.js';
import { MonitorState } from './monitor-state.js';
import type { MonitorSnapshot } from './monitor-state.js';
import { monitorTable } from './monitor-table.js';
import { consumeScores } from './scores-consumer.js';
import type { ScoreStreamOptions, ScoreStreamSummary } from './scores-consumer.js';

/** Options of `monitor`. */
export interface MonitorOptions extends ScoreStreamOptions {
  /** Where each table goes. */
  print: (text: string) => void;
  /** Seconds between two tables; a last one is printed at the end. Default 5. */
  intervalSeconds?: number;
  /** Stop after this many scored events. Default: read until the signal aborts. */
  limit?: number;
  /** Milliseconds since the epoch, now; for the records/s figure. Default `Date.now`. */
  now?: () => number;
}

/** What `monitor` ends with. */
export interface MonitorSummary extends ScoreStreamSummary {
  snapshot: MonitorSnapshot;
}

/**
 * Keeps live accuracy, recall, confusion, attack and unknown-attack rates of the scored events
 * against the true labels they carry, printing a table every interval and at the end.
 */
export async function monitor(options: MonitorOptions): Promise<MonitorSummary> {
  const { limit } = options;
  const interval = options.intervalSeconds ?? 5;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new InvalidOptionError('limit', `must be a positive integer, got ${limit}`);
  }
  if (!Number.isFinite(interval) || interval <= 0) {
    throw new InvalidOptionError('intervalSeconds', `must be a number > 0, got ${interval}`);
  }

  const state = new MonitorState(options.now ? { now: options.now } : {});
  let seen = 0;
  const timer = setInterval(() => options.print(monitorTable(state.snapshot())), interval * 1000);
  try {
    const read = await consumeScores(options, (event) => {
      state.add(event);
      return ++seen === limit ? 'stop' : 'continue';
    });
    const snapshot = state.snapshot();
    options.print(monitorTable(snapshot));
    return { ...read, snapshot };
  } finally {
    clearInterval(timer);
  }
}
