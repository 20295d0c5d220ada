import type { Command } from 'commander';

import { loadAvroRegistry } from '../../../schemas/avro/registry.js';
import { InvalidOptionError } from '../../../schemas/errors.js';
import { TAIL_FORMATS } from '../../downstream/format.js';
import type { TailFormat } from '../../downstream/format.js';
import { monitor } from '../../downstream/monitor.js';
import type { ScoreStreamOptions, ScoreStreamSummary } from '../../downstream/scores-consumer.js';
import { tail } from '../../downstream/tail.js';
import type { CliContext } from '../context.js';
import { integer, oneOf } from '../parse.js';
import { connect, kafkaOptions, type KafkaFlags } from './kafka.js';

interface ReadFlags extends KafkaFlags {
  fromBeginning?: boolean;
  limit?: number;
}

interface TailFlags extends ReadFlags {
  format: TailFormat;
  attacks?: boolean;
  unknown?: boolean;
}

interface MonitorFlags extends ReadFlags {
  interval: number;
}

function seconds(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
      throw new InvalidOptionError(flag, `expected a number of seconds > 0, got "${value}"`);
    }
    return n;
  };
}

/** The flags both commands share: where the broker is, which topic, where to start, how many. */
function readOptions(command: Command): Command {
  return kafkaOptions(command)
    .option('--from-beginning', 'read the scores topic from its start, not from its end')
    .option('--limit <n>', 'stop after this many events', integer('--limit', 1));
}

/** Aborts on the first SIGINT or SIGTERM; `release` removes the handlers. */
function signalOnStop(context: CliContext) {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    context.logger.info({ signal }, 'stopping');
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const release = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  return { signal: controller.signal, release };
}

async function streamOptions(
  flags: ReadFlags,
  context: CliContext,
  signal: AbortSignal,
): Promise<ScoreStreamOptions> {
  const { kafka, topics } = connect(flags, context);
  return {
    kafka,
    registry: await loadAvroRegistry(),
    topic: topics.scores,
    logger: context.logger,
    fromBeginning: flags.fromBeginning ?? false,
    signal,
  };
}

function logUndecodable(read: ScoreStreamSummary, context: CliContext): void {
  const total = Object.values(read.undecodable).reduce((sum, n) => sum + n, 0);
  if (total > 0) context.logger.warn({ undecodable: read.undecodable }, 'undecodable messages');
}

/** `iomt tail` and `iomt monitor`: consumers of the scored events topic. */
export function downstreamCommands(program: Command, context: CliContext): void {
  readOptions(
    program
      .command('tail')
      .description('print the scored events as they arrive, until SIGINT or SIGTERM')
      .option(
        '--format <pretty|json>',
        'one short line per event, or JSON lines',
        oneOf('--format', TAIL_FORMATS),
        'pretty',
      )
      .option('--attacks', 'only events whose predicted class is not Benign')
      .option('--unknown', 'only events with the unknown-attack flag'),
  ).action(async (flags: TailFlags) => {
    const { signal, release } = signalOnStop(context);
    try {
      const read = await tail({
        ...(await streamOptions(flags, context, signal)),
        print: context.print,
        format: flags.format,
        attacks: flags.attacks ?? false,
        unknown: flags.unknown ?? false,
        ...(flags.limit !== undefined && { limit: flags.limit }),
      });
      logUndecodable(read, context);
    } finally {
      release();
    }
  });

  readOptions(
    program
      .command('monitor')
      .description(
        'live accuracy, recall, confusion and attack rates of the scored events, ' +
          'until SIGINT or SIGTERM',
      )
      .option('--interval <s>', 'seconds between two tables', seconds('--interval'), 5),
  ).action(async (flags: MonitorFlags) => {
    const { signal, release } = signalOnStop(context);
    try {
      const read = await monitor({
        ...(await streamOptions(flags, context, signal)),
        print: context.print,
        intervalSeconds: flags.interval,
        ...(flags.limit !== undefined && { limit: flags.limit }),
      });
      logUndecodable(read, context);
    } finally {
      release();
    }
  });
}
