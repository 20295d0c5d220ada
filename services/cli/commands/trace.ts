import type { Command } from 'commander';

import { IomtError, InvalidOptionError } from '../../../schemas/errors.js';
import { JaegerClient, type JaegerTrace } from '../../downstream/jaeger-client.js';
import { describeLookback, TRACE_SERVICES } from '../../downstream/latency.js';
import { renderTraceTree, traceTree } from '../../downstream/trace-tree.js';
import { IOMT } from '../../telemetry/messaging-attributes.js';
import type { CliContext } from '../context.js';
import { jaegerOptions, type JaegerFlags } from '../jaeger-options.js';

interface TraceFlags extends JaegerFlags {
  traceId?: string;
  json?: boolean;
}

/** A flow record as `iomt tail` names it. */
interface RecordRef {
  capture: string;
  seq: number;
}

/** A record replayed more often than this within the lookback shows only its newest traces. */
const SEARCH_LIMIT = 100;
const TRACING_HINT = 'tracing must be on: OTEL_EXPORTER_OTLP_ENDPOINT on the services';

function recordRef(value: string): RecordRef {
  // Split at the last slash: the seq is a number, the capture is any name.
  const at = value.lastIndexOf('/');
  const capture = value.slice(0, at);
  const seq = Number(value.slice(at + 1));
  if (at <= 0 || !/^\d+$/.test(value.slice(at + 1)) || !Number.isSafeInteger(seq)) {
    throw new InvalidOptionError(
      '<record>',
      `expected <capture>/<seq> as iomt tail prints it, e.g. Benign_test/42, got "${value}"`,
    );
  }
  return { capture, seq };
}

function traceId(value: string): string {
  if (!/^[0-9a-f]{1,32}$/i.test(value)) {
    throw new InvalidOptionError('--trace-id', `expected up to 32 hex digits, got "${value}"`);
  }
  return value.toLowerCase();
}

/** `iomt trace`: one record's trace from Jaeger, as a tree of its spans. */
export function traceCommand(program: Command, context: CliContext): void {
  const command = program
    .command('trace')
    .description("one record's trace from Jaeger, as a tree of its spans across the services")
    .argument('[record]', 'the flow record as <capture>/<seq>, as iomt tail prints it', recordRef)
    .option('--trace-id <hex>', 'the trace with this id instead of a search', traceId);
  jaegerOptions(command, 'search this far back from now')
    .option('--json', 'print the trace structure as JSON instead of a tree')
    .action(async (record: RecordRef | undefined, flags: TraceFlags) => {
      if ((record === undefined) === (flags.traceId === undefined)) {
        throw new InvalidOptionError(
          '<record>',
          'give either a record as <capture>/<seq> or --trace-id <hex>',
        );
      }
      const client = new JaegerClient({ url: flags.jaeger });
      const [newest, ...older] =
        record === undefined
          ? await byId(client, flags.traceId ?? '')
          : await byRecord(client, record, flags.lookback);

      const tree = traceTree(newest);
      const otherTraceIDs = older.map((t) => t.traceID);
      context.logger.debug({ traceID: tree.traceID, otherTraceIDs }, 'trace found');
      context.print(
        flags.json
          ? JSON.stringify({ ...tree, otherTraceIDs }, null, 2)
          : renderTraceTree(tree, { otherTraceIDs }),
      );
    });
}

async function byId(client: JaegerClient, id: string): Promise<[JaegerTrace]> {
  const found = await client.getTrace(id);
  if (found) return [found];
  throw new IomtError({
    code: 'IO',
    message: `Jaeger at ${client.url} has no trace ${id}; ${TRACING_HINT}`,
    retriable: true,
    context: { url: client.url, traceID: id },
  });
}

// The traces whose replay send span carries the record's capture and seq, newest first.
async function byRecord(
  client: JaegerClient,
  record: RecordRef,
  lookbackMs: number,
): Promise<[JaegerTrace, ...JaegerTrace[]]> {
  const found = await client.findTraces({
    service: TRACE_SERVICES.replay,
    lookbackMs,
    limit: SEARCH_LIMIT,
    tags: { [IOMT.capture]: record.capture, [IOMT.seq]: String(record.seq) },
  });
  const start = (t: JaegerTrace) => Math.min(...t.spans.map((s) => s.startTime));
  const [newest, ...older] = found.sort((a, b) => start(b) - start(a));
  if (newest) return [newest, ...older];

  const name = `${record.capture}/${record.seq}`;
  throw new IomtError({
    code: 'IO',
    message:
      `no trace of ${name} in Jaeger at ${client.url} over the last ` +
      `${describeLookback(lookbackMs)} (service ${TRACE_SERVICES.replay}); ${TRACING_HINT}, ` +
      'or search further back with --lookback',
    retriable: true,
    context: { url: client.url, record: name, lookbackMs },
  });
}
