import { writeFile } from 'node:fs/promises';

import type { Command } from 'commander';

import { IomtError } from '../../../schemas/errors.js';
import { JaegerClient } from '../../downstream/jaeger-client.js';
import { renderLatencyReport } from '../../downstream/latency-html.js';
import { latencyTable } from '../../downstream/latency-table.js';
import { latencyReport, TRACE_SERVICES } from '../../downstream/latency.js';
import type { CliContext } from '../context.js';
import { jaegerOptions, type JaegerFlags } from '../jaeger-options.js';
import { integer } from '../parse.js';

interface LatencyFlags extends JaegerFlags {
  service: string;
  limit: number;
  html?: string;
  json?: boolean;
}

/** `iomt latency`: per-stage and end-to-end latency percentiles from the traces in Jaeger. */
export function latencyCommand(program: Command, context: CliContext): void {
  const command = program
    .command('latency')
    .description(
      'per-stage and end-to-end latency percentiles of a replay, from the traces in Jaeger',
    );
  jaegerOptions(command, 'how far back from now')
    .option('--service <name>', 'read the traces with a span of this service', TRACE_SERVICES.score)
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
