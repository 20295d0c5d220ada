import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { ingestDataset, type IngestSummary } from '../../pipelines/arrow/ingest.js';
import { generateDataset } from '../../pipelines/dataset/synth/index.js';
import {
  prepareTraining,
  writePreparation,
  type Preparation,
} from '../../pipelines/training/prepare.js';
import type { LayoutName } from '../../schemas/layouts.js';
import type { Logger } from '../runtime/logger.js';
import type { Progress } from '../runtime/progress.js';

export interface MainJobOptions {
  /** Working folder; its `dataset/` and `arrow/` are rewritten on every run. */
  work: string;
  rows: number;
  seed: number;
  layout: LayoutName;
  logger: Logger;
  progress: (label: string, total: number, unit?: 'rows' | 'bytes') => Progress;
}

export interface MainJobResult {
  datasetDir: string;
  arrowDir: string;
  ingest: IngestSummary;
  preparation: Preparation;
  scalerPath: string;
}

/**
 * The single-machine job: a small generated data set, ingested to Arrow, prepared for
 * training (validation carved out, scaler fitted, classes balanced).
 */
export async function runMainJob(options: MainJobOptions): Promise<MainJobResult> {
  const { logger } = options;
  const datasetDir = join(options.work, 'dataset');
  const arrowDir = join(options.work, 'arrow');
  await rm(datasetDir, { recursive: true, force: true });
  await rm(arrowDir, { recursive: true, force: true });

  const synth = options.progress('synth', options.rows);
  await generateDataset({
    out: datasetDir,
    layout: options.layout,
    rows: options.rows,
    seed: options.seed,
    onProgress: (written) => synth.update(written),
  });
  synth.stop();
  logger.info({ datasetDir, rows: options.rows }, 'generated data set written');

  const ingestBar = options.progress('ingest', 1, 'bytes');
  const ingest = await ingestDataset({
    datasetDir,
    out: arrowDir,
    logger,
    onProgress: (done, total) => ingestBar.update(done, total),
  });
  ingestBar.stop();

  const fit = options.progress('fit scaler', 1);
  const preparation = await prepareTraining({
    data: arrowDir,
    seed: options.seed,
    logger,
    onFitProgress: (rows, total) => fit.update(rows, total),
  });
  fit.stop();
  const paths = await writePreparation(preparation, arrowDir);
  return { datasetDir, arrowDir, ingest, preparation, scalerPath: paths.scaler };
}
