import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import { trace, type Tracer } from '@opentelemetry/api';
import type { Kafka, Message } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import type { Logger } from 'pino';

import type { MissingValuePolicy } from '../../pipelines/dataset/field-parser.js';
import { RejectionReport } from '../../pipelines/dataset/rejections.js';
import type { RawFlowRecord } from '../../schemas/avro/messages.js';
import type { AvroRegistry } from '../../schemas/avro/registry.js';
import { InvalidOptionError } from '../../schemas/errors.js';
import type { Split } from '../../schemas/taxonomy.js';
import { ProduceSpans } from '../telemetry/produce-spans.js';
import { INSTRUMENTATION_SCOPE } from '../telemetry/telemetry.js';
import { PassSeq } from './replay-passes.js';
import { progressPlan, type ProgressPlan } from './replay-progress.js';
import { openReplaySource, type ReplayPassHooks } from './replay-source.js';

/** What to replay, where, and how fast. */
export interface ReplayOptions {
  kafka: Kafka;
  registry: AvroRegistry;
  logger: Logger;
  /**
   * An Arrow flow file, a folder with `<split>.arrow` (as `iomt ingest` writes them), or a
   * CICIoMT2024 CSV tree (its root or its CSV folder).
   */
  data: string;
  /** The split replayed from a folder. Default `test`. */
  split?: Split;
  /** The raw flow records' topic. */
  topic: string;
  /** Records per second at most; default 0, as fast as the broker takes them. */
  rate?: number;
  /** Records to replay at most, over all passes; default every record. */
  limit?: number;
  /** Records per produce request. Default 500. */
  batchSize?: number;
  /** Passes over the source; `Infinity` replays it until `signal` aborts. Default 1. */
  passes?: number;
  /** Ends the replay after the request in flight; what was produced stays produced. */
  signal?: AbortSignal;
  /** Empty or NaN CSV fields: reject the row (default) or read them as 0. */
  missing?: MissingValuePolicy;
  /**
   * Where the rows of a CSV tree that the reader rejects are written, one JSON object a line
   * (file, line, code, reason, column), as the ingest's `rejections.jsonl`. Default
   * `rejections.jsonl` in the working folder; not written for Arrow files.
   */
  rejections?: string;
  /** Called after each produce request, when the total is known (see `progressPlan`). */
  onProgress?: (done: number, plan: ProgressPlan) => void;
  /** Where each record's root span goes; default the global tracer (see services/telemetry). */
  tracer?: Tracer;
}

/** What a replay did. */
export interface ReplaySummary {
  records: number;
  seconds: number;
  /** Passes begun over the source. */
  passes: number;
  /** Rows of a CSV tree the reader rejected, counted once however many passes read them. */
  rejected: number;
  /** The error report of a CSV tree's rejected rows. */
  rejectionsPath?: string;
  /** True when `signal` ended the replay. */
  stopped: boolean;
}

function checked(options: ReplayOptions) {
  const rate = options.rate ?? 0;
  const limit = options.limit ?? Infinity;
  const batchSize = options.batchSize ?? 500;
  const passes = options.passes ?? 1;
  if (!(rate >= 0)) throw new InvalidOptionError('rate', `must be 0 or more, got ${rate}`);
  if (!(limit >= 0)) throw new InvalidOptionError('limit', `must be 0 or more, got ${limit}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidOptionError('batchSize', `must be a positive integer, got ${batchSize}`);
  }
  if (!(passes === Infinity || (Number.isInteger(passes) && passes >= 1))) {
    throw new InvalidOptionError('passes', `must be a positive integer or Infinity, got ${passes}`);
  }
  const perRequest = rate > 0 ? Math.min(batchSize, Math.ceil(rate)) : batchSize;
  return { rate, limit, passes, perRequest };
}

/**
 * The Kafka message of one raw flow record: keyed by capture, stamped with its produce time,
 * its headers carrying the trace the record starts.
 */
function messageOf(record: RawFlowRecord, registry: AvroRegistry, spans: ProduceSpans): Message {
  const value: RawFlowRecord = { ...record, producedAt: Date.now() };
  const headers = spans.started(record);
  return { key: record.capture, value: registry.encode('RawFlowRecord', value), headers };
}

/**
 * Replays an Arrow flow file or a CSV tree into the raw topic as raw flow records, in file
 * order, keyed by capture so that each capture's records stay in order on one partition. The
 * producer is idempotent: a retried request does not write a record twice. Each pass after the
 * first shifts every capture's seq past the previous pass (`PassSeq`).
 */
export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  const { rate, limit, passes, perRequest } = checked(options);
  const { registry, signal } = options;
  const source = await openReplaySource({
    data: options.data,
    ...(options.split && { split: options.split }),
    ...(options.missing && { missing: options.missing }),
  });
  const rejectionsPath =
    source.kind === 'csv' ? (options.rejections ?? 'rejections.jsonl') : undefined;
  const report = rejectionsPath ? new RejectionReport(rejectionsPath) : undefined;
  const logger = options.logger.child({ stage: 'replay', topic: options.topic });
  const producer = options.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const plan = progressPlan(source, passes, limit);
  const seqs = new PassSeq();
  const spans = new ProduceSpans(
    options.tracer ?? trace.getTracer(INSTRUMENTATION_SCOPE),
    options.topic,
  );

  let records = 0;
  let bytes = 0;
  let begun = 0;
  let pending: Message[] = [];
  const t0 = performance.now();
  const flush = async () => {
    if (pending.length === 0) return;
    try {
      await producer.send({ topic: options.topic, acks: -1, messages: pending });
      spans.sent();
    } catch (error) {
      spans.sent(error);
      throw error;
    }
    records += pending.length;
    pending = [];
    if (plan) options.onProgress?.(plan.unit === 'rows' ? records : bytes, plan);
    const ahead = rate > 0 ? (records / rate) * 1000 - (performance.now() - t0) : 0;
    if (ahead > 0) await sleep(ahead, undefined, { signal }).catch(() => undefined);
  };
  const full = () => records + pending.length >= limit || signal?.aborted === true;
  const hooks: ReplayPassHooks = {
    onRejection: (rejection) => {
      // Later passes read the same rows again: the report lists each once.
      if (seqs.pass === 0) report?.add(rejection);
    },
    onBytes: (n) => (bytes += n),
  };

  try {
    logger.info({ source: source.path, kind: source.kind, passes }, 'replaying');
    await producer.connect();
    for (; seqs.pass < passes && !full(); seqs.next()) {
      begun++;
      let read = 0;
      for await (const record of source.records(hooks)) {
        if (full()) break;
        record.seq = seqs.seqOf(record.capture, record.seq);
        pending.push(messageOf(record, registry, spans));
        read++;
        if (pending.length >= perRequest) await flush();
      }
      if (passes > 1) logger.info({ pass: begun, records: records + pending.length }, 'pass read');
      // A source without records would loop forever.
      if (read === 0) break;
    }
    await flush();
  } finally {
    await producer.disconnect();
    await source.close();
    await report?.close();
  }

  const seconds = (performance.now() - t0) / 1000;
  const rejected = report?.size ?? 0;
  if (rejected > 0) {
    logger.warn({ rejected, byCode: report?.byCode(), rejectionsPath }, 'rows rejected');
  }
  logger.info({ records, seconds, passes: begun }, 'replayed');
  return {
    records,
    seconds,
    passes: begun,
    rejected,
    ...(rejectionsPath && { rejectionsPath }),
    stopped: signal?.aborted === true,
  };
}
