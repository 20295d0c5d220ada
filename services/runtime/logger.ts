import { trace } from '@opentelemetry/api';
import { pino, type Logger, type LevelWithSilent, type LoggerOptions as PinoOptions } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export interface LoggerOptions {
  /** Component name bound to every line. */
  name: string;
  /** Default `info`, or the IOMT_LOG_LEVEL environment variable. */
  level?: LevelWithSilent;
  /** Human-readable lines instead of JSON; default: when stderr is a terminal. */
  pretty?: boolean;
}

const LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function levelFromEnv(): LevelWithSilent | undefined {
  const value = process.env.IOMT_LOG_LEVEL;
  return value && LEVELS.includes(value) ? (value as LevelWithSilent) : undefined;
}

/**
 * The ids of the span active where a line is logged (a record's span in a stage), so that a
 * log line leads to its trace; nothing outside a span.
 */
export function traceIds(): Record<string, string> {
  const span = trace.getActiveSpan()?.spanContext();
  if (!span || !trace.isSpanContextValid(span)) return {};
  return { trace_id: span.traceId, span_id: span.spanId };
}

/**
 * The process's structured logger. Logs go to stderr so stdout stays free for results (tables,
 * JSON lines); JSON when piped, a human format on a terminal.
 */
export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? levelFromEnv() ?? 'info';
  const human = options.pretty ?? process.stderr.isTTY;
  const settings: PinoOptions = { name: options.name, level, mixin: traceIds };
  if (!human) return pino(settings, pino.destination({ fd: 2, sync: true }));

  const stream = pretty({ destination: 2, sync: true, ignore: 'pid,hostname' });
  return pino(settings, stream);
}
