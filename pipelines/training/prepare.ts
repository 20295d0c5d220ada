import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { pino, type Logger } from 'pino';

import { InvalidOptionError } from '../../schemas/errors.js';
import { classesOf, type Granularity } from '../../schemas/taxonomy.js';
import { openFlowFile } from '../arrow/flow-reader.js';
import type { FlowFileMetadata } from '../arrow/flow-schema.js';
import { readRowIndex } from '../arrow/row-index.js';
import { balanceClasses, type BalanceTarget } from '../features/balance.js';
import { fitScaler, saveScaler, type Scaler } from '../features/scaler.js';
import { carveValidation, type ValidationMode, type ValidationReport } from '../features/splits.js';

export interface PrepareOptions {
  /** Folder with `train.arrow` (and usually `test.arrow`) written by the ingest. */
  data: string;
  /** Class granularity that balancing works at; default 6 (the paper's). */
  classes?: Granularity;
  /** Share of each capture's rows (or of each label's captures) kept for validation; 0.2. */
  validationFraction?: number;
  /** Contiguous blocks each capture is cut into; default 5. */
  blocksPerCapture?: number;
  /** Default 'blocks'. */
  validationMode?: ValidationMode;
  /** Count per class after balancing; default the median class count. */
  balanceTarget?: BalanceTarget;
  /** Seed for every random choice; default 1. */
  seed?: number;
  logger?: Logger;
  /** Training rows seen by the scaler fit so far, for progress bars. */
  onFitProgress?: (rows: number, total: number) => void;
}

/** Per-class counts of the prepared training data. */
export interface ClassCount {
  name: string;
  train: number;
  validation: number;
  balanced: number;
}

export interface Preparation {
  metadata: FlowFileMetadata;
  classes: Granularity;
  seed: number;
  scaler: Scaler;
  validation: ValidationReport;
  balanceTarget: number;
  counts: ClassCount[];
  /** Training rows after balancing, ascending, with repeats for oversampled classes. */
  balancedRows: Uint32Array;
  validationRows: Uint32Array;
  /** Per training-split row, its contiguous block: windows never cross from one into another. */
  segment: Int32Array;
  /** Rows of the training split. */
  rows: number;
}

/**
 * Prepares the official training split for a model: validation blocks carved out first, the
 * scaler fitted on the remaining training rows only, then those rows balanced. Splitting
 * before balancing keeps copies of one oversampled record out of validation (the paper's
 * leakage).
 */
export async function prepareTraining(options: PrepareOptions): Promise<Preparation> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const granularity = options.classes ?? 6;
  const seed = options.seed ?? 1;
  if (![19, 6, 2].includes(granularity)) {
    throw new InvalidOptionError('classes', 'must be 19, 6 or 2');
  }
  const file = await openFlowFile(join(options.data, 'train.arrow'));

  try {
    const index = await readRowIndex(file);
    const split = carveValidation(index, file.info.captures, {
      seed,
      ...(options.validationFraction !== undefined && { fraction: options.validationFraction }),
      ...(options.blocksPerCapture !== undefined && {
        blocksPerCapture: options.blocksPerCapture,
      }),
      ...(options.validationMode && { mode: options.validationMode }),
    });
    logger.info(
      { train: split.train.length, validation: split.validation.length },
      'validation carved from training captures',
    );

    const mask = new Uint8Array(index.rows);
    for (const row of split.train) mask[row] = 1;
    const total = split.train.length;
    const scaler = await fitScaler(file.batches(), file.info, {
      rowMask: mask,
      onProgress: (rows) => options.onFitProgress?.(Math.min(rows, total), total),
    });
    const classOf =
      granularity === 19 ? index.label19 : granularity === 6 ? index.label6 : index.label2;
    const names = classesOf(granularity);
    const balanced = balanceClasses(classOf, split.train, {
      classes: names.length,
      seed,
      ...(options.balanceTarget !== undefined && { target: options.balanceTarget }),
    });
    const validationCounts = new Array<number>(names.length).fill(0);
    for (const row of split.validation) {
      const c = classOf[row] ?? 0;
      validationCounts[c] = (validationCounts[c] ?? 0) + 1;
    }

    const preparation: Preparation = {
      metadata: file.metadata,
      classes: granularity,
      seed,
      scaler,
      validation: split.report,
      balanceTarget: balanced.target,
      counts: names.map((name, c) => ({
        name,
        train: balanced.before[c] ?? 0,
        validation: validationCounts[c] ?? 0,
        balanced: balanced.after[c] ?? 0,
      })),
      balancedRows: balanced.rows,
      validationRows: split.validation,
      segment: split.segment,
      rows: index.rows,
    };
    return preparation;
  } finally {
    await file.close();
  }
}

/** Writes `scaler.json` and `preparation.json` (the report) into `out`; returns their paths. */
export async function writePreparation(
  p: Preparation,
  out: string,
): Promise<{ scaler: string; report: string }> {
  await mkdir(out, { recursive: true });
  const paths = { scaler: join(out, 'scaler.json'), report: join(out, 'preparation.json') };
  await saveScaler(p.scaler, paths.scaler);
  await writeFile(paths.report, `${JSON.stringify(describe(p), null, 2)}\n`);
  return paths;
}

/** The JSON report of a preparation: everything but the row lists and the scaler itself. */
export function describe(p: Preparation): Record<string, unknown> {
  return {
    source: p.metadata.source,
    layout: p.metadata.layout,
    deduplicated: p.metadata.deduplicated,
    excludedFeatures: p.metadata.excludedFeatures,
    classes: p.classes,
    seed: p.seed,
    scalerChecksum: p.scaler.dataChecksum,
    balanceTarget: p.balanceTarget,
    counts: p.counts,
    validation: p.validation,
  };
}
