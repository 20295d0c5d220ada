import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

import { metrics, trace, type Attributes, type Meter, type Tracer } from '@opentelemetry/api';
import { hrTime, hrTimeDuration, hrTimeToMilliseconds } from '@opentelemetry/core';
import type {
  Admin,
  Consumer,
  EachBatchPayload,
  Kafka,
  KafkaMessage,
  Message,
  Producer,
} from 'kafkajs';
import { Partitioners } from 'kafkajs';
import type { Logger } from 'pino';

import type { StageOutcome } from '../../pipelines/stages/outcome.js';
import type { AvroValues, SchemaName, Stage } from '../../schemas/avro/messages.js';
import type { AvroRegistry } from '../../schemas/avro/registry.js';
import { InvalidOptionError } from '../../schemas/errors.js';
import { ChunkSpans, type Hop } from '../telemetry/chunk-spans.js';
import { StageMetrics } from '../telemetry/stage-metrics.js';
import { INSTRUMENTATION_SCOPE } from '../telemetry/telemetry.js';
import { retryWithBackoff, type BackoffOptions } from './backoff.js';
import { deadLetterOf } from './dead-letter.js';

/** The schemas a stage writes: each carries the capture it is keyed by. */
export type OutputSchema = 'ScaledFlowRecord' | 'FlowWindow' | 'ScoredEvent';

/** What every message between stages says about its record. */
interface Keyed {
  capture: string;
  seq: number;
  producedAt: number;
}

/**
 * A stage bound to its input and output schemas: the pure stage function, and hooks that let a
 * stateful stage keep its state in step with what Kafka committed.
 */
export interface StageHandler<I extends SchemaName, O extends OutputSchema> {
  readonly stage: Stage;
  readonly input: I;
  readonly output: O;
  /** One outcome per value, in order; `partition` is the input partition they came from. */
  process(
    values: readonly AvroValues[I][],
    partition?: number,
  ): Promise<StageOutcome<AvroValues[O]>[]>;
  /**
   * The input partitions newly assigned to this instance, before the first chunk of any of
   * them is processed: a stateful stage rebuilds its state for them here. A failure is retried
   * with the next batch.
   */
  assigned?(partitions: readonly number[]): Promise<void>;
  /** Span attributes that say what the stage made of a record (a score's class, say). */
  describe?(output: AvroValues[O]): Attributes | undefined;
  /** The outputs of the last `process` were committed. */
  committed?(): void;
  /** The outputs of the last `process` were not committed, and will be processed again. */
  aborted?(): void;
}

/** How a stage runner binds a stage to Kafka. */
export interface StageRunnerOptions<I extends SchemaName, O extends OutputSchema> {
  kafka: Kafka;
  registry: AvroRegistry;
  handler: StageHandler<I, O>;
  inputTopic: string;
  outputTopic: string;
  deadLetterTopic: string;
  logger: Logger;
  /** The consumer group. Default `iomt-<stage>`. */
  groupId?: string;
  /**
   * Names this instance among those of the group; with the group it makes the transactional
   * id, which must stay the same across restarts so that a restarted instance fences its
   * predecessor. Default `0`.
   */
  instanceId?: string;
  /** Messages per transaction at most. Default 500. */
  chunkSize?: number;
  /** Waits between tries to connect. Default BACKOFF_DEFAULTS. */
  backoff?: BackoffOptions;
  /** Read the input from its beginning when the group has no committed offset. Default true. */
  fromBeginning?: boolean;
  /** How long the group waits for a silent member before moving its partitions. Default 10 s. */
  sessionTimeoutMs?: number;
  /** Where spans and instruments go; default the global providers (see services/telemetry). */
  tracer?: Tracer;
  meter?: Meter;
}

/** What a runner has done since it started. */
export interface StageRunnerCounts {
  consumed: number;
  produced: number;
  deadLettered: number;
  committed: number;
  aborted: number;
}

/**
 * Runs a stage as an exactly-once consume-transform-produce loop: each chunk of a fetched batch
 * is decoded, processed, and its outputs, dead letters and consumed offsets are written in one
 * transaction. A transaction that fails is aborted, and the chunk is fetched and processed
 * again; consumers of the output read it with `readUncommitted: false`, so they never see an
 * aborted output.
 */
export class StageRunner<I extends SchemaName, O extends OutputSchema> {
  /** What the runner has done so far. */
  readonly counts: StageRunnerCounts = {
    consumed: 0,
    produced: 0,
    deadLettered: 0,
    committed: 0,
    aborted: 0,
  };

  private readonly groupId: string;
  private readonly transactionalId: string;
  private readonly chunkSize: number;
  private readonly logger: Logger;
  private readonly consumer: Consumer;
  private producer: Producer;
  // kafkajs leaves a producer whose commit and abort both failed (the broker gone) unable to
  // begin another transaction, even after a reconnect: such a one is replaced.
  private producerStuck = false;
  // Input partitions whose last chunk failed: whether its transaction committed after all (an
  // answer lost after the broker took the commit) is known only from the group's offsets.
  private readonly unsure = new Set<number>();
  // The committed offset read back for such a partition: the messages before it are skipped.
  private readonly floors = new Map<number, number>();
  private admin: Admin | undefined;
  private readonly stopping = new AbortController();
  private readonly tracer: Tracer;
  private readonly hop: Hop;
  private readonly metrics: StageMetrics;
  private started = false;
  // Input partitions owned as of the last group join, and those not yet handed to `assigned`.
  private owned = new Set<number>();
  private unprepared = new Set<number>();

  constructor(private readonly options: StageRunnerOptions<I, O>) {
    const { handler } = options;
    this.groupId = options.groupId ?? `iomt-${handler.stage}`;
    this.transactionalId = `${this.groupId}-${options.instanceId ?? '0'}`;
    this.chunkSize = options.chunkSize ?? 500;
    if (!Number.isInteger(this.chunkSize) || this.chunkSize < 1) {
      throw new InvalidOptionError(
        'chunkSize',
        `must be a positive integer, got ${this.chunkSize}`,
      );
    }
    this.tracer = options.tracer ?? trace.getTracer(INSTRUMENTATION_SCOPE);
    this.metrics = new StageMetrics(
      options.meter ?? metrics.getMeter(INSTRUMENTATION_SCOPE),
      handler.stage,
    );
    this.hop = {
      stage: handler.stage,
      inputTopic: options.inputTopic,
      outputTopic: options.outputTopic,
      deadLetterTopic: options.deadLetterTopic,
      groupId: this.groupId,
    };
    this.logger = options.logger.child({
      stage: handler.stage,
      input: options.inputTopic,
      output: options.outputTopic,
    });

    this.consumer = options.kafka.consumer({
      groupId: this.groupId,
      readUncommitted: false,
      maxWaitTimeInMs: 200,
      // A member that died (SIGKILL, a lost host) holds its partitions until its session
      // expires; heartbeats go out between chunks, each well under a second of work.
      sessionTimeout: options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: 1_000,
      retry: {
        initialRetryTime: 100,
        retries: 8,
        restartOnFailure: (error) => {
          this.logger.warn({ err: error.message }, 'consumer failed; restarting');
          return Promise.resolve(!this.stopping.signal.aborted);
        },
      },
    });
    this.producer = this.createProducer();
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      const now = new Set(event.payload.memberAssignment[options.inputTopic] ?? []);
      const unprepared = new Set([...now].filter((p) => !this.owned.has(p)));
      for (const partition of this.unprepared) if (now.has(partition)) unprepared.add(partition);
      this.owned = now;
      this.unprepared = unprepared;
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      this.logger.warn({ err: error.message, restart }, 'consumer crashed');
    });
  }

  /**
   * Connects (retrying with backoff while the broker is down), joins the group and starts the
   * loop. Resolves once consuming has begun.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const { inputTopic } = this.options;
    const retry = { ...this.options.backoff, signal: this.stopping.signal };

    await retryWithBackoff('connect producer', () => this.producer.connect(), this.logger, retry);
    await retryWithBackoff('connect consumer', () => this.consumer.connect(), this.logger, retry);
    // A broker that has just started may not have the input topic yet (it is created on
    // purpose, maybe after this service): its metadata answers UNKNOWN_TOPIC_OR_PARTITION.
    const subscription = {
      topics: [inputTopic],
      fromBeginning: this.options.fromBeginning ?? true,
    };
    await retryWithBackoff(
      'subscribe',
      () => this.consumer.subscribe(subscription),
      this.logger,
      retry,
    );
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.eachBatch(payload),
    });
    this.logger.info({ groupId: this.groupId, transactionalId: this.transactionalId }, 'started');
  }

  /** Finishes the transaction in progress, leaves the group and disconnects. */
  async stop(): Promise<void> {
    this.stopping.abort();
    // Disconnecting the consumer waits for the batch in progress, whose transaction ends first.
    await this.consumer.disconnect();
    await this.producer.disconnect();
    await this.admin?.disconnect();
    this.logger.info({ ...this.counts }, 'stopped');
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.isEmpty()) return;
    await this.settle(batch.topic, batch.partition);
    await this.prepareAssigned();
    const floor = this.floors.get(batch.partition) ?? 0;
    const messages = batch.messages.filter((m) => Number(m.offset) >= floor);
    if (Number(batch.lastOffset()) + 1 >= floor) this.floors.delete(batch.partition);
    if (messages.length < batch.messages.length) {
      const skipped = batch.messages.length - messages.length;
      payload.resolveOffset((batch.messages[skipped - 1] as KafkaMessage).offset);
      this.logger.info(
        { partition: batch.partition, skipped },
        'a chunk that failed had been committed; its messages are not processed again',
      );
    }

    for (let from = 0; from < messages.length; from += this.chunkSize) {
      if (!payload.isRunning() || payload.isStale()) return;
      const chunk = messages.slice(from, from + this.chunkSize);
      await this.processChunk(batch.topic, batch.partition, chunk);

      const last = (chunk[chunk.length - 1] as KafkaMessage).offset;
      payload.resolveOffset(last);
      this.metrics.lag(batch.topic, batch.partition, batch.highWatermark, Number(last) + 1);
      await payload.heartbeat();
      // Scoring is CPU work: let timers and sockets run between chunks.
      await yieldToEventLoop();
    }
  }

  /**
   * After a chunk of `partition` failed, reads back the offset its group committed: messages
   * before it were committed, whatever the failure said. A stuck producer is replaced first,
   * since registering the new one waits until the broker has finished the old transaction one
   * way or the other. A stateful stage then rebuilds the partition's state from what was
   * committed. Throws while the broker cannot answer; the batch is fetched again.
   */
  private async settle(topic: string, partition: number): Promise<void> {
    if (!this.unsure.has(partition)) return;
    if (this.producerStuck) await this.replaceProducer();
    if (!this.admin) {
      const admin = this.options.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    const [offsets] = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [topic] });
    const entry = offsets?.partitions.find((p) => p.partition === partition);
    this.unsure.delete(partition);
    this.unprepared.add(partition);
    this.floors.set(partition, Math.max(0, Number(entry?.offset ?? -1)));
  }

  private async prepareAssigned(): Promise<void> {
    const { handler } = this.options;
    if (this.unprepared.size === 0 || !handler.assigned) return;
    const partitions = [...this.unprepared].sort((a, b) => a - b);
    await handler.assigned(partitions);
    for (const partition of partitions) this.unprepared.delete(partition);
    this.logger.info({ partitions }, 'assigned partitions prepared');
  }

  private async processChunk(
    topic: string,
    partition: number,
    chunk: readonly KafkaMessage[],
  ): Promise<void> {
    const { handler, registry } = this.options;
    const origin = { topic, partition };
    const spans = new ChunkSpans(this.tracer, this.hop, partition);
    const deadLetters: Message[] = [];
    const reasons: string[] = [];
    const toDeadLetter = (message: KafkaMessage, code: string, reason: string) => {
      const letter = deadLetterOf(message, origin, handler.stage, code, reason);
      const headers = spans.produced(message, { code, reason });
      deadLetters.push({ key: message.key, value: registry.encode('DeadLetter', letter), headers });
      reasons.push(code);
      spans.within(message, () =>
        this.logger.warn({ partition, offset: message.offset, code, reason }, 'dead-lettered'),
      );
    };

    const values: AvroValues[I][] = [];
    const sources: KafkaMessage[] = [];
    for (const message of chunk) {
      const decoded = message.value
        ? registry.decodeAs(handler.input, message.value)
        : { ok: false as const, code: 'MALFORMED_ROW', message: 'message without a value' };
      spans.consumed(message, decoded.ok ? (decoded.value as Keyed) : undefined);
      if (!decoded.ok) {
        toDeadLetter(message, decoded.code, decoded.message);
        continue;
      }
      values.push(decoded.value);
      sources.push(message);
    }

    const outputs: Message[] = [];
    const producedAt: number[] = [];
    const workStart = hrTime();
    let workSeconds: number;
    try {
      const outcomes = values.length > 0 ? await handler.process(values, partition) : [];
      workSeconds = hrTimeToMilliseconds(hrTimeDuration(workStart, hrTime())) / 1000;
      spans.worked(sources, workStart);
      outcomes.forEach((outcome, i) => {
        const source = sources[i] as KafkaMessage;
        if (!outcome.ok) return toDeadLetter(source, outcome.code, outcome.reason);
        const value = outcome.value as AvroValues[O] & Keyed;
        const attributes = handler.describe?.(outcome.value);
        if (attributes) spans.describe(source, attributes);
        producedAt.push(value.producedAt);
        outputs.push({
          key: value.capture,
          value: registry.encode(handler.output, value),
          headers: spans.produced(source),
        });
      });
      await this.commit(topic, partition, chunk, outputs, deadLetters);
      spans.end();
    } catch (error) {
      spans.end(error);
      this.unsure.add(partition);
      this.counts.aborted++;
      handler.aborted?.();
      this.logger.warn(
        {
          partition,
          offset: chunk[0]?.offset,
          err: error instanceof Error ? error.message : error,
        },
        'chunk not committed; it will be processed again',
      );
      throw error;
    }

    handler.committed?.();
    this.counts.consumed += chunk.length;
    this.counts.produced += outputs.length;
    this.counts.deadLettered += deadLetters.length;
    this.counts.committed++;
    this.metrics.committed({
      topic,
      outputTopic: this.options.outputTopic,
      consumed: chunk.length,
      produced: outputs.length,
      deadLetters: reasons,
      workSeconds,
      producedAt,
    });
  }

  private async commit(
    topic: string,
    partition: number,
    chunk: readonly KafkaMessage[],
    outputs: Message[],
    deadLetters: Message[],
  ): Promise<void> {
    const last = chunk[chunk.length - 1] as KafkaMessage;
    if (this.producerStuck) await this.replaceProducer();
    const transaction = await this.producer.transaction();
    try {
      for (const messages of requestsOf(outputs)) {
        await transaction.send({ topic: this.options.outputTopic, acks: -1, messages });
      }
      for (const messages of requestsOf(deadLetters)) {
        await transaction.send({ topic: this.options.deadLetterTopic, acks: -1, messages });
      }
      await transaction.sendOffsets({
        consumerGroupId: this.groupId,
        topics: [{ topic, partitions: [{ partition, offset: String(Number(last.offset) + 1) }] }],
      });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch((abortError: unknown) => {
        this.producerStuck = true;
        this.logger.warn({ err: String(abortError) }, 'abort failed; replacing the producer');
      });
      throw error;
    }
  }

  private createProducer(): Producer {
    // The broker answers CONCURRENT_TRANSACTIONS while it writes the previous commit's
    // markers; a short first retry keeps back-to-back transactions fast (infra/kafka/README.md).
    return this.options.kafka.producer({
      transactionalId: this.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { initialRetryTime: 50, retries: 10 },
    });
  }

  /**
   * A fresh producer with the same transactional id: connecting it bumps the epoch, which
   * fences the old one and aborts its unfinished transaction on the broker.
   */
  private async replaceProducer(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
    this.producer = this.createProducer();
    await this.producer.connect();
    this.producerStuck = false;
    this.logger.info({ transactionalId: this.transactionalId }, 'producer replaced');
  }
}

/**
 * Bytes of message values per produce request at most. A broker refuses a request larger than
 * its `message.max.bytes` (1 MiB by default), and a chunk of 500 windows of 45 features is
 * larger than that, so one transaction's outputs go out in several requests.
 */
export const REQUEST_BYTES = 512 * 1024;

/** Cuts messages into runs whose values add up to at most `REQUEST_BYTES` (at least one each). */
export function requestsOf(messages: readonly Message[], limit = REQUEST_BYTES): Message[][] {
  const requests: Message[][] = [];
  let current: Message[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = (message.value?.length ?? 0) + (message.key?.length ?? 0);
    if (current.length > 0 && bytes + size > limit) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

/** Something with a `stop`, as a stage runner. */
export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Stops `runners` on the first SIGINT or SIGTERM, each in turn, then calls `done`. Answers a
 * function that removes the handlers.
 */
export function stopOnSignals(
  runners: readonly Stoppable[],
  logger: Logger,
  done: (error?: unknown) => void = () => undefined,
): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    remove();
    logger.info({ signal }, 'stopping');
    void (async () => {
      try {
        for (const runner of runners) await runner.stop();
        done();
      } catch (error) {
        done(error);
      }
    })();
  };
  const remove = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return remove;
}
