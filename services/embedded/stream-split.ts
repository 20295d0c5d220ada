import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { pino, type Logger } from 'pino';

import { openFlowFile } from '../../pipelines/arrow/flow-reader.js';
import { LABEL_CLASSES } from '../../pipelines/arrow/flow-schema.js';
import { quantile } from '../../pipelines/models/anomaly.js';
import { loadBundle } from '../../pipelines/models/bundle.js';
import { createScorer, type ScoringEngine } from '../../pipelines/models/bundle-runner.js';
import { preprocessRecord } from '../../pipelines/stages/preprocess.js';
import { scoreWindows } from '../../pipelines/stages/score.js';
import { WindowStage } from '../../pipelines/stages/window.js';
import type { AvroRegistry } from '../../schemas/avro/registry.js';
import type { FlowWindow, RawFlowRecord, ScoredEvent } from '../../schemas/avro/messages.js';
import { layoutSymbol } from '../../schemas/avro/names.js';
import { trueLabel } from '../downstream/format.js';

export interface StreamOptions {
  bundle: string;
  /** Folder with `test.arrow`. */
  data: string;
  engine?: ScoringEngine;
  /** Windows scored together; default 256. */
  microBatch?: number;
  /**
   * When given, every message is encoded and decoded with the topics' Avro schemas between
   * stages, as it would cross Kafka.
   */
  avro?: AvroRegistry;
  logger?: Logger;
  onEvent?: (event: ScoredEvent) => void;
}

export interface StreamSummary {
  records: number;
  scored: number;
  deadLettered: Record<string, number>;
  seconds: number;
  recordsPerSecond: number;
  /** From the record's read to its scored event, in milliseconds. */
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Share of scored events whose predicted class is the carried true label. */
  accuracy: number;
  unknownAttackRate: number;
}

/**
 * Streams the official test split through the stage functions in one process: each record
 * becomes a raw flow record, is preprocessed, windowed and (in micro-batches) scored, exactly
 * as the Kafka services do. What a stage rejects is counted by reason, as a dead-letter topic
 * would receive it.
 */
export async function streamSplit(options: StreamOptions): Promise<StreamSummary> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const microBatch = options.microBatch ?? 256;
  const file = await openFlowFile(join(options.data, 'test.arrow'));
  const bundle = await loadBundle(options.bundle);
  const scorer = await createScorer(bundle, { engine: options.engine ?? 'onnx', logger });
  const { manifest, shape } = bundle;
  const windowStage = new WindowStage({
    windowLength: shape.windowLength,
    features: shape.features,
    scalerChecksum: bundle.scaler.dataChecksum,
  });
  const scoreOptions = {
    scorer,
    shape,
    granularity: manifest.granularity,
    classes: manifest.classes,
    modelVersion: bundle.version,
    threshold: manifest.anomaly.threshold,
  };

  const deadLettered: Record<string, number> = {};
  const reject = (code: string) => (deadLettered[code] = (deadLettered[code] ?? 0) + 1);
  const started = new Map<string, number>();
  const latencies: number[] = [];
  let pending: FlowWindow[] = [];
  let records = 0;
  let right = 0;
  let unknown = 0;
  const cross = <T>(name: Parameters<AvroRegistry['encode']>[0], value: T): T => {
    if (!options.avro) return value;
    const decoded = options.avro.decode(options.avro.encode(name, value as never));
    if (!decoded.ok) throw new Error(`Avro round trip failed: ${decoded.message}`);
    return { ...(decoded.value as object) } as T;
  };

  const flush = async () => {
    const outcomes = await scoreWindows(pending, scoreOptions);
    const now = performance.now();
    for (const outcome of outcomes) {
      if (!outcome.ok) {
        reject(outcome.code);
        continue;
      }
      const event = cross('ScoredEvent', outcome.value);
      const key = `${event.capture}/${event.seq}`;
      latencies.push(now - (started.get(key) ?? now));
      started.delete(key);
      if (event.predicted === trueLabel(event)) right++;
      if (event.unknownAttack) unknown++;
      options.onEvent?.(event);
    }
    pending = [];
  };

  const t0 = performance.now();
  try {
    const excluded = [...file.metadata.excludedFeatures];
    for await (const batch of file.batches()) {
      for (let r = 0; r < batch.rows; r++) {
        const capture = file.info.captures[batch.capture[r] ?? 0] ?? '';
        const seq = batch.seq[r] ?? 0;
        started.set(`${capture}/${seq}`, performance.now());
        records++;
        const raw: RawFlowRecord = cross('RawFlowRecord', {
          capture,
          seq,
          layout: layoutSymbol(file.info.layout),
          excludedFeatures: excluded,
          values: batch.columns.map((c) => c[r] ?? 0),
          label19: LABEL_CLASSES.label19[batch.label19[r] ?? 0] ?? null,
          producedAt: Date.now(),
        });

        const scaled = preprocessRecord(raw, { scaler: bundle.scaler });
        if (!scaled.ok) {
          reject(scaled.code);
          continue;
        }
        const window = windowStage.push(cross('ScaledFlowRecord', scaled.value));
        if (!window.ok) {
          reject(window.code);
          continue;
        }
        pending.push(cross('FlowWindow', window.value));
        if (pending.length === microBatch) await flush();
      }
    }
    if (pending.length > 0) await flush();
  } finally {
    await scorer.dispose();
    await file.close();
  }

  const seconds = (performance.now() - t0) / 1000;
  const scored = latencies.length;
  return {
    records,
    scored,
    deadLettered,
    seconds,
    recordsPerSecond: records / seconds,
    latencyMs: {
      p50: scored ? quantile(latencies, 0.5) : NaN,
      p95: scored ? quantile(latencies, 0.95) : NaN,
      p99: scored ? quantile(latencies, 0.99) : NaN,
      max: latencies.reduce((m, v) => Math.max(m, v), scored ? -Infinity : NaN),
    },
    accuracy: scored ? right / scored : NaN,
    unknownAttackRate: scored ? unknown / scored : NaN,
  };
}
