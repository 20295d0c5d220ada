import { writeFile } from 'node:fs/promises';

import { Option, type Command } from 'commander';

import { IomtError, InvalidOptionError } from '../../../schemas/errors.js';
import { JaegerClient } from '../../downstream/jaeger-client.js';
import { renderLatencyReport } from '../../downstream/latency-html.js';
import { latencyTable } from '../../downstream/latency-table.js';
import { latencyReport, TRACE_SERVICES } from '../../downstream/latency.js';
import type { CliContext } from '../context.js';
import { integer } from '../parse.js';

interface LatencyFlags {
  jaeger: string;
  service: string;
  lookback: number;
  limit: number;
  html?: string;
  json?: boolean;
}

const DEFAULT_JAEGER = 'http://127.0.0.1:16686';
const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** A duration such as `90s`, `15m`, `1h` or `2d`, in milliseconds. */
function duration(flag: string) {
  return (value: string): number => {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value.trim());
    const ms = match ? Number(match[1]) * (DURATION_UNITS[match[2] ?? ''] ?? NaN) : NaN;
    if (!(ms >= 1) || !Number.isFinite(ms)) {
      throw new InvalidOptionError(
        flag,
        `expected a duration such as 30s, 15m, 1h, got "${value}"`,
      );
    }
    return Math.round(ms);
  };
}

function httpUrl(flag: string) {
  return (value: string): string => {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new InvalidOptionError(flag, `expected an http or https URL, got "${value}"`);
    }
    return value;
  };
}

/** `iomt latency`: per-stage and end-to-end latency percentiles from the traces in Jaeger. */
export function latencyCommand(program: Command, context: CliContext): void {
  program
    .command('latency')
    .description(
      'per-stage and end-to-end latency percentiles of a replay, from the traces in Jaeger',
    )
    .addOption(
      new Option('--jaeger <url>', "Jaeger's query API (env IOMT_JAEGER_URL)")
        .argParser(httpUrl('--jaeger'))
        .default(process.env.IOMT_JAEGER_URL || DEFAULT_JAEGER),
    )
    .option('--service <name>', 'read the traces with a span of this service', TRACE_SERVICES.score)
    .addOption(
      new Option('--lookback <duration>', 'how far back from now (e.g. 30s, 15m, 1h, 2d)')
        .argParser(duration('--lookback'))
        .default(3_600_000, '1h'),
    )
    .option('--limit <n>', 'at most this many traces, the most recent', integer('--limit', 1), 1000)
    .option('--html <file>', 'also write the report as a self-contained HTML page')
    .option('--json', 'print the report as JSON instead of a table')
    .action(async (flags: LatencyFlags) => {
      const client = new JaegerClient({ url: flags.jaeger });
      const fetchedAt = new Date();
      const traces = await client.findTraces({
        service: flags.service,
        lookbackMs: flags.lookback,
        limit: flags.limit,
        end: fetchedAt,
      });
      const report = latencyReport(traces, {
        jaeger: client.url,
        service: flags.service,
        lookbackMs: flags.lookback,
        limit: flags.limit,
        fetchedAt: fetchedAt.toISOString(),
      });

      if (flags.html !== undefined) {
        await writeHtml(flags.html, renderLatencyReport(report));
        context.logger.info({ file: flags.html, traces: report.traces }, 'latency report written');
      }
      context.print(flags.json ? JSON.stringify(report, null, 2) : latencyTable(report));
    });
}

async function writeHtml(file: string, html: string): Promise<void> {
  try {
    await writeFile(file, html);
  } catch (error) {
    throw new IomtError({
      code: 'IO',
      message: `cannot write ${file}: ${(error as Error).message}`,
      cause: error,
      context: { file },
    });
  }
}
