import { Option, type Command } from 'commander';

import { duration, httpUrl } from './parse.js';

/** The flags of the commands that read traces from Jaeger. */
export interface JaegerFlags {
  jaeger: string;
  /** Milliseconds back from now. */
  lookback: number;
}

const DEFAULT_JAEGER = 'http://127.0.0.1:16686';

/** `--jaeger <url>` (default IOMT_JAEGER_URL) and `--lookback <duration>` (default 1h). */
export function jaegerOptions(command: Command, lookback: string): Command {
  return command
    .addOption(
      new Option('--jaeger <url>', "Jaeger's query API (env IOMT_JAEGER_URL)")
        .argParser(httpUrl('--jaeger'))
        .default(process.env.IOMT_JAEGER_URL || DEFAULT_JAEGER),
    )
    .addOption(
      new Option('--lookback <duration>', `${lookback} (e.g. 30s, 15m, 1h, 2d)`)
        .argParser(duration('--lookback'))
        .default(3_600_000, '1h'),
    );
}
