import type { Command } from 'commander';

import {
  MISSING_VALUE_POLICIES,
  type MissingValuePolicy,
} from '../../../pipelines/dataset/field-parser.js';
import { SPLITS } from '../../../pipelines/dataset/tree.js';
import { loadBundle } from '../../../pipelines/models/bundle.js';
import {
  createScorer,
  SCORING_ENGINES,
  type ScoringEngine,
} from '../../../pipelines/models/bundle-runner.js';
import { loadAvroRegistry } from '../../../schemas/avro/registry.js';
import type { Split } from '../../../schemas/taxonomy.js';
import { createKafkaClient } from '../../runtime/kafka-client.js';
import { resolveKafkaConfig } from '../../runtime/kafka-config.js';
import { createProgress, type Progress } from '../../runtime/progress.js';
import { StageRunner, stopOnSignals, type Stoppable } from '../../runtime/stage-runner.js';
import { createTopics, resolveTopicNames, type TopicNames } from '../../runtime/topics.js';
import { preprocessHandler } from '../../stages/preprocess-service.js';
import { replay } from '../../stages/replay.js';
import type { ProgressPlan } from '../../stages/replay-progress.js';
import { scoreHandler } from '../../stages/score-service.js';
import { windowHandler } from '../../stages/window-service.js';
import type { CliContext } from '../context.js';
import {
  METRICS_PORTS,
  metricsOption,
  startCommandTelemetry,
  type TelemetryFlags,
} from '../telemetry-options.js';
import { integer, list, oneOf } from '../parse.js';

export interface KafkaFlags {
  brokers?: string[];
  topicPrefix?: string;
}

const STAGES = ['preprocess', 'window', 'score'] as const;
type StageName = (typeof STAGES)[number];

/** The flags every Kafka command shares: where the broker is and what the topics are called. */
export function kafkaOptions(command: Command): Command {
  return command
    .option(
      '--brokers <list>',
      'comma-separated host:port (default IOMT_KAFKA_BROKERS or 127.0.0.1:9092)',
      list,
    )
    .option('--topic-prefix <prefix>', 'prefix of every topic name');
}

/** A Kafka client and the topic names, from the shared flags. */
export function connect(flags: KafkaFlags, context: CliContext) {
  const config = resolveKafkaConfig(flags.brokers ? { brokers: flags.brokers } : {});
  const topics = resolveTopicNames(
    flags.topicPrefix !== undefined ? { prefix: flags.topicPrefix } : {},
  );
  return { kafka: createKafkaClient(config, context.logger), topics };
}

/** Runs until SIGINT or SIGTERM, then stops the runner cleanly. */
function untilSignal(runner: Stoppable, context: CliContext): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    stopOnSignals([runner], context.logger, (error) =>
      error
        ? reject(error instanceof Error ? error : new Error('stopping failed', { cause: error }))
        : resolve(),
    );
  });
}

type ServeFlags = KafkaFlags &
  TelemetryFlags & { bundle: string; instance: string; group?: string; engine: ScoringEngine };

/** Serves `stage` with its telemetry (spans and the Prometheus endpoint) around it. */
async function serve(stage: StageName, flags: ServeFlags, context: CliContext) {
  const telemetry = await startCommandTelemetry(
    {
      serviceName: `iomt-${stage}`,
      sampler: 'parentbased_always_on',
      metricsPort: METRICS_PORTS[stage],
    },
    flags,
    context.logger,
  );
  try {
    await serveStage(stage, flags, context);
  } finally {
    await telemetry.shutdown();
  }
}

async function serveStage(stage: StageName, flags: ServeFlags, context: CliContext) {
  const { kafka, topics } = connect(flags, context);
  const registry = await loadAvroRegistry();
  const bundle = await loadBundle(flags.bundle);
  const common = {
    kafka,
    registry,
    logger: context.logger.child({ stage }),
    deadLetterTopic: topics.deadLetter,
    instanceId: flags.instance,
    ...(flags.group !== undefined && { groupId: flags.group }),
  };
  const io: Record<StageName, [keyof TopicNames, keyof TopicNames]> = {
    preprocess: ['raw', 'scaled'],
    window: ['scaled', 'windows'],
    score: ['windows', 'scores'],
  };
  const [input, output] = io[stage];
  const base = { ...common, inputTopic: topics[input], outputTopic: topics[output] };

  if (stage === 'score') {
    const scorer = await createScorer(bundle, { engine: flags.engine, logger: context.logger });
    try {
      const runner = new StageRunner({ ...base, handler: scoreHandler(bundle, scorer) });
      await runUntilSignal(runner, context);
    } finally {
      await scorer.dispose();
    }
    return;
  }
  const runner =
    stage === 'preprocess'
      ? new StageRunner({ ...base, handler: preprocessHandler(bundle) })
      : new StageRunner({
          ...base,
          handler: windowHandler(bundle, {
            kafka,
            registry,
            topic: topics.windows,
            logger: common.logger,
          }),
        });
  await runUntilSignal(runner, context);
}

/** Starts `runner` and serves until a signal; a start that fails stops what it connected. */
async function runUntilSignal(runner: Stoppable & { start(): Promise<void> }, context: CliContext) {
  try {
    await runner.start();
  } catch (error) {
    await runner.stop().catch(() => undefined);
    throw error;
  }
  await untilSignal(runner, context);
}

export function kafkaCommands(program: Command, context: CliContext): void {
  const topics = program.command('topics').description('Kafka topics of the pipeline');
  kafkaOptions(
    topics
      .command('create')
      .description(
        'create the raw, scaled, windows, scores and dead-letter topics that are missing',
      )
      .option('--partitions <n>', 'partitions per topic', integer('--partitions', 1), 3),
  ).action(async (flags: KafkaFlags & { partitions: number }) => {
    const { kafka, topics: names } = connect(flags, context);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const created = await createTopics(admin, names, { partitions: flags.partitions });
      context.print(created.length > 0 ? `created: ${created.join(', ')}` : 'all topics exist');
    } finally {
      await admin.disconnect();
    }
  });

  const serveCommand = kafkaOptions(
    program
      .command('serve')
      .description('run one stage of the pipeline on Kafka, exactly once, until SIGINT or SIGTERM')
      .argument('<stage>', `one of ${STAGES.join(', ')}`, oneOf('<stage>', STAGES))
      .requiredOption('--bundle <dir>', 'model bundle folder')
      .option(
        '--instance <id>',
        'this instance among those of the stage (names its transactions)',
        '0',
      )
      .option('--group <id>', 'consumer group of the stage (default iomt-<stage>)')
      .option(
        '--engine <onnx|tfjs>',
        'what runs the models (score)',
        oneOf('--engine', SCORING_ENGINES),
        'onnx',
      ),
  );
  metricsOption(serveCommand).action((stage: StageName, flags: ServeFlags) =>
    serve(stage, flags, context),
  );

  kafkaOptions(
    program
      .command('replay')
      .description(
        'replay an Arrow flow file, a folder with <split>.arrow, or a CSV tree into the raw topic',
      )
      .requiredOption(
        '--data <path>',
        'Arrow flow file, folder with <split>.arrow, or CICIoMT2024 CSV tree',
      )
      .option(
        '--split <train|test>',
        'split of a folder to replay',
        oneOf('--split', SPLITS),
        'test',
      )
      .option(
        '--rate <n>',
        'records per second at most (0: as fast as possible)',
        integer('--rate', 0),
        0,
      )
      .option('--limit <n>', 'records to replay at most, over all passes', integer('--limit', 1))
      .option(
        '--loop [n]',
        'replay n passes, each seq shifted past the last pass; no n: until SIGINT or SIGTERM',
        integer('--loop', 1),
      )
      .option(
        '--missing <reject|zero>',
        'empty or NaN CSV fields',
        oneOf('--missing', MISSING_VALUE_POLICIES),
        'reject',
      )
      .option('--rejections <file>', 'error report of rejected CSV rows', 'rejections.jsonl')
      .option('--quiet', 'no progress bar'),
  ).action((flags: ReplayFlags) => replayCommand(flags, context));
}

interface ReplayFlags extends KafkaFlags {
  data: string;
  split: Split;
  rate: number;
  limit?: number;
  loop?: number | true;
  missing: MissingValuePolicy;
  rejections: string;
  quiet?: boolean;
}

/** `iomt replay`: stops after the request in flight on SIGINT or SIGTERM, and says so. */
async function replayCommand(flags: ReplayFlags, context: CliContext): Promise<void> {
  const { kafka, topics: names } = connect(flags, context);
  // Every record replayed starts a trace, unless OTEL_TRACES_SAMPLER says otherwise.
  const telemetry = await startCommandTelemetry(
    { serviceName: 'iomt-replay', sampler: 'always_on' },
    { metricsPort: 0 },
    context.logger,
  );
  const stopping = new AbortController();
  const unlisten = stopOnSignals(
    [{ stop: () => Promise.resolve(stopping.abort()) }],
    context.logger,
  );
  let bar: Progress | undefined;
  try {
    const summary = await replay({
      kafka,
      registry: await loadAvroRegistry(),
      logger: context.logger,
      data: flags.data,
      split: flags.split,
      topic: names.raw,
      rate: flags.rate,
      passes: flags.loop === undefined ? 1 : flags.loop === true ? Infinity : flags.loop,
      signal: stopping.signal,
      missing: flags.missing,
      rejections: flags.rejections,
      ...(flags.limit !== undefined && { limit: flags.limit }),
      ...(!flags.quiet && {
        onProgress: (done: number, plan: ProgressPlan) => {
          bar ??= createProgress({ label: 'replay', total: plan.total, unit: plan.unit });
          bar.update(done);
        },
      }),
    });
    bar?.stop();
    const passes = summary.passes > 1 ? ` in ${summary.passes} passes` : '';
    const stopped = summary.stopped ? ' (stopped)' : '';
    context.print(
      `replayed ${summary.records} records${passes} in ${summary.seconds.toFixed(1)} s ` +
        `into ${names.raw}${stopped}`,
    );
    if (summary.rejectionsPath) {
      context.print(`rejected CSV rows: ${summary.rejected} (${summary.rejectionsPath})`);
    }
  } finally {
    bar?.stop();
    unlisten();
    await telemetry.shutdown();
  }
}
