import { InvalidOptionError } from '../../schemas/errors.js';
import { formatter, keepEvent } from './format.js';
import type { TailFilter, TailFormat } from './format.js';
import { consumeScores } from './scores-consumer.js';
import type { ScoreStreamOptions, ScoreStreamSummary } from './scores-consumer.js';

/** Options of `tail`. */
export interface TailOptions extends ScoreStreamOptions, TailFilter {
  /** Where each printed line goes. */
  print: (line: string) => void;
  /** `pretty` (one short line per event) or `json` (JSON lines). Default `pretty`. */
  format?: TailFormat;
  /** Stop after printing this many events. Default: read until the signal aborts. */
  limit?: number;
}

/** What `tail` read and printed. */
export interface TailSummary extends ScoreStreamSummary {
  /** Events that passed the filter and were printed. */
  printed: number;
}

/** Prints the scored events of the scores topic that pass the filter, as they arrive. */
export async function tail(options: TailOptions): Promise<TailSummary> {
  const { limit } = options;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new InvalidOptionError('limit', `must be a positive integer, got ${limit}`);
  }

  const format = formatter(options.format ?? 'pretty');
  let printed = 0;
  const read = await consumeScores(options, (event) => {
    if (!keepEvent(event, options)) return 'continue';
    options.print(format(event));
    printed++;
    return printed === limit ? 'stop' : 'continue';
  });
  return { ...read, printed };
}
