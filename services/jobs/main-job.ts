import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { ingestDataset, type IngestSummary } from '../../pipelines/arrow/ingest.js';
import { generateDataset } from '../../pipelines/dataset/synth/index.js';
import { evaluateBundle, type Evaluation } from '../../pipelines/evaluation/evaluate-bundle.js';
import { resolveTrainingConfig } from '../../pipelines/training/config.js';
import { crossValidate } from '../../pipelines/training/cross-validate.js';
import { trainModels } from '../../pipelines/training/train.js';
import type { TrainingResult } from '../../pipelines/training/write-bundle.js';
import { loadAvroRegistry } from '../../schemas/avro/registry.js';
import type { LayoutName } from '../../schemas/layouts.js';
import { streamSplit, type StreamSummary } from '../embedded/stream-split.js';
import { waitForBroker } from '../runtime/broker-wait.js';
import { resolveKafkaConfig } from '../runtime/kafka-config.js';
import type { Logger } from '../runtime/logger.js';
import type { Progress } from '../runtime/progress.js';
import { streamThroughKafka, type KafkaStreamOptions } from './kafka-stream.js';

export interface MainJobOptions {
  /** Working folder; its `dataset/`, `arrow/` and `bundle/` are rewritten on every run. */
  work: string;
  rows: number;
  seed: number;
  layout: LayoutName;
  /** Folds of the cross-validation; 0 leaves it out. */
  cvFolds: number;
  /** Training epochs; default the quick profile's. */
  epochs?: number;
  logger: Logger;
  progress: (label: string, total: number, unit?: 'rows' | 'bytes') => Progress;
  /**
   * Stream the test split through Kafka at these brokers, with topics of its own, instead of
   * through the stage functions in one process. The broker is asked first, before any work.
   */
  kafka?: Pick<KafkaStreamOptions, 'brokers' | 'topicPrefix' | 'connectTimeoutMs'>;
}

export interface MainJobResult {
  datasetDir: string;
  arrowDir: string;
  ingest: IngestSummary;
  training: TrainingResult;
  evaluation: Evaluation;
  stream: StreamSummary;
}

/**
 * The single-machine job on a small generated data set: ingest it to Arrow (exact duplicates
 * dropped, the IAT leakage shortcut left out), train the two models with the quick profile,
 * cross-validate them, evaluate the bundle on the official test split, then stream the test
 * split through the stage functions (every message through its Avro schema) as the Kafka
 * services would, or with `kafka` through the services on a real broker.
 */
export async function runMainJob(options: MainJobOptions): Promise<MainJobResult> {
  const { logger, seed } = options;
  const datasetDir = join(options.work, 'dataset');
  const arrowDir = join(options.work, 'arrow');
  const bundleDir = join(options.work, 'bundle');
  if (options.kafka) {
    const config = resolveKafkaConfig({ brokers: options.kafka.brokers });
    await waitForBroker(config, logger, { timeoutMs: options.kafka.connectTimeoutMs });
  }
  await rm(datasetDir, { recursive: true, force: true });
  await rm(arrowDir, { recursive: true, force: true });

  const synth = options.progress('synth', options.rows);
  await generateDataset({
    out: datasetDir,
    layout: options.layout,
    rows: options.rows,
    seed,
    onProgress: (written) => synth.update(written),
  });
  synth.stop();
  logger.info({ datasetDir, rows: options.rows }, 'generated data set written');

  const ingestBar = options.progress('ingest', 1, 'bytes');
  const ingest = await ingestDataset({
    datasetDir,
    out: arrowDir,
    dedupe: true,
    exclude: options.layout === '45' ? ['IAT'] : [],
    logger,
    onProgress: (done, total) => ingestBar.update(done, total),
  });
  ingestBar.stop();

  const trainBar = options.progress('train', 1);
  const training = await trainModels({
    data: arrowDir,
    out: bundleDir,
    profile: 'quick',
    seed,
    epochs: options.epochs,
    logger,
    onBatch: (samples, total) => trainBar.update(samples, total),
    onEpoch: (e) =>
      logger.info({ epoch: e.epoch + 1, lstm: e.lstm, autoencoder: e.autoencoder }, 'epoch done'),
  });
  trainBar.stop();

  let crossValidation;
  if (options.cvFolds > 0) {
    const cvBar = options.progress('cross-valid.', options.cvFolds);
    crossValidation = await crossValidate({
      data: arrowDir,
      config: resolveTrainingConfig({ profile: 'quick', seed, epochs: 1 }),
      folds: options.cvFolds,
      logger,
      onFold: (k) => cvBar.update(k + 1),
    });
    cvBar.stop();
  }

  const evaluation = await evaluateBundle({
    bundle: bundleDir,
    data: arrowDir,
    logger,
    ...(crossValidation && { crossValidation }),
  });
  const stream = options.kafka
    ? await streamKafka(options, bundleDir, arrowDir, options.kafka)
    : await streamSplit({
        bundle: bundleDir,
        data: arrowDir,
        avro: await loadAvroRegistry(),
        logger,
      });
  return { datasetDir, arrowDir, ingest, training, evaluation, stream };
}

async function streamKafka(
  options: MainJobOptions,
  bundle: string,
  data: string,
  kafka: NonNullable<MainJobOptions['kafka']>,
): Promise<StreamSummary> {
  const bar = options.progress('stream', 1);
  try {
    return await streamThroughKafka({
      ...kafka,
      bundle,
      data,
      logger: options.logger,
      onProgress: (done, total) => bar.update(done, total),
    });
  } finally {
    bar.stop();
  }
}
