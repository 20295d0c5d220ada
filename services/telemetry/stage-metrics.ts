import type { Attributes, Counter, Histogram, Meter } from '@opentelemetry/api';

import type { Stage } from '../../schemas/avro/messages.js';

const SECONDS_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/**
 * The instruments of a stage, served on its Prometheus endpoint: records in and out per topic,
 * dead letters by reason, chunk sizes, the time the stage's work on a chunk takes (for score,
 * the scoring latency), each committed record's age since replay produced it (for score, the
 * end-to-end latency) and the consumer lag of each input partition.
 */
export class StageMetrics {
  private readonly recordsIn: Counter;
  private readonly recordsOut: Counter;
  private readonly deadLettered: Counter;
  private readonly chunkSize: Histogram;
  private readonly work: Histogram;
  private readonly age: Histogram;
  private readonly lags = new Map<string, { lag: number; attributes: Attributes }>();

  constructor(
    meter: Meter,
    private readonly stage: Stage,
  ) {
    this.recordsIn = meter.createCounter('iomt.records.in', {
      description: 'Records consumed, per input topic',
      unit: '{record}',
    });
    this.recordsOut = meter.createCounter('iomt.records.out', {
      description: 'Records produced and committed, per output topic',
      unit: '{record}',
    });
    this.deadLettered = meter.createCounter('iomt.records.dead_lettered', {
      description: 'Records sent to the dead-letter topic, per reason',
      unit: '{record}',
    });
    this.chunkSize = meter.createHistogram('iomt.chunk.size', {
      description: 'Records per transaction',
      unit: '{record}',
      advice: { explicitBucketBoundaries: [1, 10, 25, 50, 100, 200, 300, 400, 500] },
    });
    this.work = meter.createHistogram('iomt.stage.duration', {
      description: "The stage's work on one chunk (scoring, for the score stage)",
      unit: 's',
      advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
    });
    this.age = meter.createHistogram('iomt.record.latency', {
      description:
        'From replay producing a record to this stage committing it (end to end at score)',
      unit: 's',
      advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
    });
    meter
      .createObservableGauge('iomt.consumer.lag', {
        description: 'Messages of the input partition not yet committed by this stage',
        unit: '{message}',
      })
      .addCallback((result) => {
        for (const { lag, attributes } of this.lags.values()) result.observe(lag, attributes);
      });
  }

  /** A chunk of `topic` was committed: what came in and went out, and how long it took. */
  committed(chunk: {
    topic: string;
    outputTopic: string;
    consumed: number;
    produced: number;
    deadLetters: readonly string[];
    workSeconds: number;
    producedAt: readonly number[];
  }): void {
    const stage = this.stage;
    this.recordsIn.add(chunk.consumed, { stage, topic: chunk.topic });
    if (chunk.produced > 0)
      this.recordsOut.add(chunk.produced, { stage, topic: chunk.outputTopic });
    for (const reason of chunk.deadLetters) this.deadLettered.add(1, { stage, reason });
    this.chunkSize.record(chunk.consumed, { stage });
    this.work.record(chunk.workSeconds, { stage });
    const now = Date.now();
    for (const at of chunk.producedAt) this.age.record(Math.max(0, now - at) / 1000, { stage });
  }

  /** The input partition's lag after a commit: its high watermark less the next offset. */
  lag(topic: string, partition: number, highWatermark: string, nextOffset: number): void {
    const lag = Math.max(0, Number(highWatermark) - nextOffset);
    this.lags.set(`${topic}/${partition}`, {
      lag,
      attributes: { stage: this.stage, topic, partition: String(partition) },
    });
  }
}
