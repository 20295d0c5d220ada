import { Option, type Command } from 'commander';

import { IomtError, InvalidOptionError } from '../../../schemas/errors.js';
import {
  JaegerClient,
  JaegerQueryError,
  type JaegerTrace,
} from '../../downstream/jaeger-client.js';
import { describeLookback, TRACE_SERVICES } from '../../downstream/latency.js';
import { renderTraceTree, traceTree } from '../../downstream/trace-tree.js';
import { IOMT } from '../../telemetry/messaging-attributes.js';
import type { CliContext } from '../context.js';

interface TraceFlags {
  jaeger: string;
  traceId?: string;
  lookback: number;
  json?: boolean;
}

/** A flow record as `iomt tail` names it. */
interface RecordRef {
  capture: string;
  seq: number;
}

const DEFAULT_JAEGER = 'http://127.0.0.1:16686';
/** A record replayed more often than this within the lookback shows only its newest traces. */
const SEARCH_LIMIT = 100;
const TRACING_HINT = 'tracing must be on: OTEL_EXPORTER_OTLP_ENDPOINT on the services';
const LOOKBACK_UNITS = new Map([
  ['ms', 1],
  ['s', 1_000],
  ['m', 60_000],
  ['h', 3_600_000],
  ['d', 86_400_000],
]);

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

function lookback(value: string): number {
  const match = /^(?<amount>\d+(?:\.\d+)?)(?<unit>ms|s|m|h|d)$/.exec(value.trim());
  const unit = LOOKBACK_UNITS.get(match?.groups?.unit ?? '');
  const ms = unit === undefined ? NaN : Math.round(Number(match?.groups?.amount) * unit);
  if (!(ms >= 1)) {
    throw new InvalidOptionError(
      '--lookback',
      `expected a duration such as 90s, 15m, 2h, got "${value}"`,
    );
  }
  return ms;
}

// The client checks the URL; a bad one is the user's flag, so exit code 2.
function clientFor(url: string): JaegerClient {
  try {
    return new JaegerClient({ url });
  } catch (error) {
    if (error instanceof JaegerQueryError) throw new InvalidOptionError('--jaeger', error.message);
    throw error;
  }
}

/** `iomt trace`: one record's trace from Jaeger, as a tree of its spans. */
export function traceCommand(program: Command, context: CliContext): void {
  program
    .command('trace')
    .description("one record's trace from Jaeger, as a tree of its spans across the services")
    .argument('[record]', 'the flow record as <capture>/<seq>, as iomt tail prints it', recordRef)
    .option('--trace-id <hex>', 'the trace with this id instead of a search', traceId)
    .addOption(
      new Option('--jaeger <url>', "Jaeger's query API (env IOMT_JAEGER_URL)").default(
        process.env.IOMT_JAEGER_URL || DEFAULT_JAEGER,
      ),
    )
    .addOption(
      new Option('--lookback <duration>', 'search this far back from now (e.g. 30s, 15m, 1h, 2d)')
        .argParser(lookback)
        .default(3_600_000, '1h'),
    )
    .option('--json', 'print the trace structure as JSON instead of a tree')
    .action(async (record: RecordRef | undefined, flags: TraceFlags) => {
      if ((record === undefined) === (flags.traceId === undefined)) {
        throw new InvalidOptionError(
          '<record>',
          'give either a record as <capture>/<seq> or --trace-id <hex>',
        );
      }
      const client = clientFor(flags.jaeger);
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
