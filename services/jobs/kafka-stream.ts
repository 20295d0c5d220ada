import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';

import { loadBundle, type LoadedBundle } from '../../pipelines/models/bundle.js';
import { createScorer, type ScoringEngine } from '../../pipelines/models/bundle-runner.js';
import type { Scorer } from '../../pipelines/models/scorer.js';
import { loadAvroRegistry, type AvroRegistry } from '../../schemas/avro/registry.js';
import { IomtError } from '../../schemas/errors.js';
import type { StreamSummary } from '../embedded/stream-split.js';
import { waitForBroker } from '../runtime/broker-wait.js';
import { createKafkaClient } from '../runtime/kafka-client.js';
import { resolveKafkaConfig } from '../runtime/kafka-config.js';
import { StageRunner, stopOnSignals, type Stoppable } from '../runtime/stage-runner.js';
import { createTopics, resolveTopicNames, topicList, type TopicNames } from '../runtime/topics.js';
import { preprocessHandler } from '../stages/preprocess-service.js';
import { replay } from '../stages/replay.js';
import { scoreHandler } from '../stages/score-service.js';
import { windowHandler } from '../stages/window-service.js';
import { ScoreTally } from './score-tally.js';

export interface KafkaStreamOptions {
  /** Bootstrap brokers, `host:port`. */
  brokers: readonly string[];
  bundle: string;
  /** Folder with `test.arrow`. */
  data: string;
  logger: Logger;
  engine?: ScoringEngine;
  /** Put before the run's topic and consumer group names. Default `iomt-run-<8 hex digits>.`. */
  topicPrefix?: string;
  /** Partitions per topic. Default 3. */
  partitions?: number;
  /** Milliseconds to wait for a broker to answer at the start. Default `waitForBroker`'s. */
  connectTimeoutMs?: number;
  /** Fails when no score or dead letter arrives for this many milliseconds. Default 60000. */
  idleTimeoutMs?: number;
  /** Records scored or dead-lettered, of those replayed. */
  onProgress?: (done: number, total: number) => void;
}

interface RunParts {
  kafka: Kafka;
  registry: AvroRegistry;
  bundle: LoadedBundle;
  scorer: Scorer;
  topics: TopicNames;
  prefix: string;
  logger: Logger;
}

interface Runnable extends Stoppable {
  start(): Promise<void>;
}

/** The three stage services as `iomt serve` builds them, each in its own consumer group. */
function stageRunners(parts: RunParts): Runnable[] {
  const { kafka, registry, bundle, scorer, topics, prefix, logger } = parts;
  const common = { kafka, registry, deadLetterTopic: topics.deadLetter };
  return [
    new StageRunner({
      ...common,
      logger: logger.child({ stage: 'preprocess' }),
      handler: preprocessHandler(bundle),
      inputTopic: topics.raw,
      outputTopic: topics.scaled,
      groupId: `${prefix}preprocess`,
    }),
    new StageRunner({
      ...common,
      logger: logger.child({ stage: 'window' }),
      handler: windowHandler(bundle, { kafka, registry, topic: topics.windows, logger }),
      inputTopic: topics.scaled,
      outputTopic: topics.windows,
      groupId: `${prefix}window`,
    }),
    new StageRunner({
      ...common,
      logger: logger.child({ stage: 'score' }),
      handler: scoreHandler(bundle, scorer),
      inputTopic: topics.windows,
      outputTopic: topics.scores,
      groupId: `${prefix}score`,
    }),
  ];
}

/** Reads the scores and dead letters read-committed from the beginning into `tally`. */
async function startReader(parts: RunParts, groupId: string, tally: ScoreTally) {
  const { kafka, registry, topics, logger } = parts;
  const reader = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 200 });
  await reader.connect();
  await reader.subscribe({ topics: [topics.scores, topics.deadLetter], fromBeginning: true });
  await reader.run({
    eachBatch: ({ batch }) => {
      for (const message of batch.messages) {
        const arrivedAt = Date.now();
        const value = message.value ?? Buffer.alloc(0);
        if (batch.topic === topics.scores) {
          const event = registry.decodeAs('ScoredEvent', value);
          if (event.ok) tally.addScore(event.value, arrivedAt);
          else logger.warn({ reason: event.message }, 'scored event does not decode');
        } else {
          const letter = registry.decodeAs('DeadLetter', value);
          tally.addDeadLetter(letter.ok ? letter.value.errorCode : letter.code, arrivedAt);
        }
      }
      return Promise.resolve();
    },
  });
  return reader;
}

function stoppedError(): IomtError {
  return new IomtError({
    code: 'IO',
    retriable: true,
    message: 'stopped by a signal while streaming through Kafka; the run was removed',
  });
}

/** Waits until `expected` records have come out, failing when nothing arrives for `idleMs`. */
async function untilAllArrived(
  tally: ScoreTally,
  expected: number,
  idleMs: number,
  signal: AbortSignal,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  let seen = -1;
  let since = performance.now();
  while (tally.arrived < expected) {
    if (signal.aborted) throw stoppedError();
    if (tally.arrived !== seen) {
      seen = tally.arrived;
      since = performance.now();
      onProgress?.(seen, expected);
    } else if (performance.now() - since > idleMs) {
      throw new IomtError({
        code: 'IO',
        retriable: true,
        message:
          `only ${seen} of ${expected} records were scored or dead-lettered through Kafka; ` +
          `nothing arrived for ${idleMs / 1000} s`,
      });
    }
    await sleep(100);
  }
  onProgress?.(tally.arrived, expected);
}

/**
 * Streams the test split through Kafka: creates the run's topics, starts the preprocess,
 * window (with its state restored from the windows topic) and score services in this process,
 * replays `test.arrow` into the raw topic, and reads the scores topic read-committed until
 * every record is scored or dead-lettered. Then it stops the services and deletes the run's
 * topics and consumer groups, whatever happened, a SIGINT or SIGTERM included. Latency runs from a record's produce time to
 * its score's arrival.
 */
export async function streamThroughKafka(options: KafkaStreamOptions): Promise<StreamSummary> {
  const { logger } = options;
  const config = resolveKafkaConfig({ brokers: options.brokers });
  await waitForBroker(config, logger, { timeoutMs: options.connectTimeoutMs });

  const kafka = createKafkaClient(config, logger);
  const prefix = options.topicPrefix ?? `iomt-run-${randomBytes(4).toString('hex')}.`;
  const topics = resolveTopicNames({ prefix });
  const groups = ['preprocess', 'window', 'score', 'reader'].map((g) => `${prefix}${g}`);
  const bundle = await loadBundle(options.bundle);
  const admin = kafka.admin();
  await admin.connect();

  const runners: Stoppable[] = [];
  let scorer: Scorer | undefined;
  let reader: Consumer | undefined;
  // Ctrl-C or SIGTERM ends the stream cleanly, so that the run's topics are still removed.
  const stopping = new AbortController();
  const unlisten = stopOnSignals([{ stop: () => Promise.resolve(stopping.abort()) }], logger);
  try {
    await createTopics(admin, topics, { partitions: options.partitions ?? 3 });
    logger.info({ topics: topicList(topics) }, 'run topics created');
    scorer = await createScorer(bundle, { engine: options.engine ?? 'onnx', logger });
    const registry = await loadAvroRegistry();
    const parts: RunParts = { kafka, registry, bundle, scorer, topics, prefix, logger };
    for (const runner of stageRunners(parts)) {
      runners.push(runner);
      await runner.start();
    }
    const tally = new ScoreTally();
    reader = await startReader(parts, `${prefix}reader`, tally);

    const started = Date.now();
    const replayed = await replay({
      kafka,
      registry,
      logger,
      data: options.data,
      topic: topics.raw,
      signal: stopping.signal,
    });
    if (stopping.signal.aborted) throw stoppedError();
    const idleMs = options.idleTimeoutMs ?? 60_000;
    await untilAllArrived(tally, replayed.records, idleMs, stopping.signal, options.onProgress);
    if (tally.duplicates > 0) logger.warn({ duplicates: tally.duplicates }, 'records scored twice');
    const ended = tally.lastArrival || Date.now();
    return tally.summary(replayed.records, (ended - started) / 1000);
  } finally {
    unlisten();
    await reader?.disconnect().catch(() => undefined);
    for (const runner of runners) await runner.stop().catch(() => undefined);
    await scorer?.dispose();
    await removeRun(admin, topics, groups, logger);
  }
}

/** Deletes the run's topics and consumer groups, then disconnects. */
async function removeRun(admin: Admin, topics: TopicNames, groups: string[], logger: Logger) {
  try {
    await admin.deleteTopics({ topics: topicList(topics) });
    await admin.deleteGroups(groups).catch(() => undefined);
    logger.info({ topics: topicList(topics) }, 'run topics deleted');
  } catch (error) {
    logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'run not removed');
  } finally {
    await admin.disconnect();
  }
}
