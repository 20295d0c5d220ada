import { access, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { pino, type Logger } from 'pino';

import { InvalidOptionError } from '../../schemas/errors.js';
import type { CsvLayout } from '../../schemas/layouts.js';
import {
  CLASSES_19,
  CLASSES_6,
  consolidate,
  type Label19,
  type Split,
} from '../../schemas/taxonomy.js';
import { commonLayout } from '../dataset/common-layout.js';
import { readCaptureRows } from '../dataset/csv-reader.js';
import { DuplicateFilter } from '../dataset/duplicate-filter.js';
import type { MissingValuePolicy } from '../dataset/field-parser.js';
import { RejectionReport } from '../dataset/rejections.js';
import { listCaptureFiles, SPLITS } from '../dataset/tree.js';
import { LABEL_CLASSES, type DataSource } from './flow-schema.js';
import { FlowFileWriter } from './flow-writer.js';

export interface IngestOptions {
  /** The data set tree: its root or its `CSV` folder holding `train/` and `test/`. */
  datasetDir: string;
  /** Output folder for `<split>.arrow`, `summary.json` and `rejections.jsonl`. */
  out: string;
  /** Empty or NaN fields: reject the row (default) or read them as 0. */
  missing?: MissingValuePolicy;
  /** Drop exact duplicate flow records within each split; default false. */
  dedupe?: boolean;
  /** Feature columns to leave out (e.g. IAT, a known leakage shortcut); default none. */
  exclude?: readonly string[];
  /** Rows per Arrow record batch; default 65,536. */
  batchRows?: number;
  logger?: Logger;
  /** Bytes of CSV read so far and in all, for progress bars. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface CaptureSummary {
  capture: string;
  split: Split;
  label19: Label19;
  rows: number;
  rejected: number;
  duplicates: number;
}

export interface SplitSummary {
  path: string;
  rows: number;
  rejected: number;
  duplicates: number;
  classes19: Record<string, number>;
  classes6: Record<string, number>;
}

export interface IngestSummary {
  source: DataSource;
  layout: CsvLayout['name'];
  features: string[];
  excludedFeatures: string[];
  deduplicated: boolean;
  missingValues: MissingValuePolicy;
  splits: Partial<Record<Split, SplitSummary>>;
  captures: CaptureSummary[];
  rejections: { total: number; byCode: Record<string, number>; path: string };
}

/** A file named GENERATED.md at the data set's root marks a tree made by `iomt synth`. */
async function sourceOf(datasetDir: string): Promise<DataSource> {
  try {
    await access(join(datasetDir, 'GENERATED.md'));
    return 'generated';
  } catch {
    return 'csv';
  }
}

function keptColumns(layout: CsvLayout, exclude: readonly string[]): number[] {
  for (const name of exclude) {
    if (!layout.columns.includes(name)) {
      throw new InvalidOptionError(
        'exclude',
        `"${name}" is not a feature of the ${layout.name}-column layout`,
      );
    }
  }
  return layout.columns.flatMap((c, i) => (exclude.includes(c) ? [] : [i]));
}

function countBy(names: readonly string[], counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries(names.map((n) => [n, counts.get(n) ?? 0]));
}

/**
 * Turns a CICIoMT2024 CSV tree into one Arrow IPC file per split. Rows stream from each file
 * through validation (and, optionally, duplicate removal) into record batches, so memory stays
 * bounded whatever the size of the tree; every rejected row is written to the error report.
 */
export async function ingestDataset(options: IngestOptions): Promise<IngestSummary> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const missing = options.missing ?? 'reject';
  const dedupe = options.dedupe ?? false;
  const exclude = [...(options.exclude ?? [])];
  const files = await listCaptureFiles(options.datasetDir);
  const layout = await commonLayout(files, 'ingest');
  const kept = keptColumns(layout, exclude);
  const features = kept.map((i) => layout.columns[i] as string);
  const source = await sourceOf(options.datasetDir);

  await mkdir(options.out, { recursive: true });
  const rejectionsPath = join(options.out, 'rejections.jsonl');
  const report = new RejectionReport(rejectionsPath);
  const totalBytes = (await Promise.all(files.map((f) => stat(f.path)))).reduce(
    (s, f) => s + f.size,
    0,
  );
  let bytesRead = 0;
  const onBytes = (n: number) => {
    bytesRead += n;
    options.onProgress?.(bytesRead, totalBytes);
  };

  const summary: IngestSummary = {
    source,
    layout: layout.name,
    features,
    excludedFeatures: exclude,
    deduplicated: dedupe,
    missingValues: missing,
    splits: {},
    captures: [],
    rejections: { total: 0, byCode: {}, path: rejectionsPath },
  };

  for (const split of SPLITS) {
    const splitFiles = files.filter((f) => f.split === split);
    if (splitFiles.length === 0) continue;
    const path = join(options.out, `${split}.arrow`);
    logger.info({ split, files: splitFiles.length, path }, 'ingesting split');

    const writer = new FlowFileWriter({
      path,
      features,
      captures: splitFiles.map((f) => f.capture),
      metadata: { layout: layout.name, source, deduplicated: dedupe, excludedFeatures: exclude },
      ...(options.batchRows ? { batchRows: options.batchRows } : {}),
    });
    const filter = dedupe ? new DuplicateFilter(kept.length) : undefined;
    const scratch = new Float64Array(kept.length);
    const perCapture: CaptureSummary[] = [];

    for (const [captureIndex, file] of splitFiles.entries()) {
      const entry: CaptureSummary = {
        capture: file.capture,
        split,
        label19: file.label19,
        rows: 0,
        rejected: 0,
        duplicates: 0,
      };
      const labels = {
        label19: LABEL_CLASSES.label19.indexOf(file.label19),
        label6: LABEL_CLASSES.label6.indexOf(file.label6),
        label2: LABEL_CLASSES.label2.indexOf(file.label2),
      };
      const rows = readCaptureRows(file.path, {
        missing,
        onBytes,
        onRejection: (rejection) => {
          entry.rejected++;
          report.add(rejection);
        },
      });

      for await (const chunk of rows) {
        const width = layout.columns.length;
        for (let r = 0; r < chunk.rows; r++) {
          for (let k = 0; k < kept.length; k++) {
            scratch[k] = chunk.values[r * width + (kept[k] as number)] as number;
          }
          if (filter && !filter.add(scratch, 0)) {
            entry.duplicates++;
            continue;
          }
          writer.append(scratch, captureIndex, chunk.seq[r] as number, labels);
          entry.rows++;
        }
      }
      perCapture.push(entry);
      if (entry.rejected > 0) {
        logger.warn({ capture: file.capture, rejected: entry.rejected }, 'rows rejected');
      }
    }

    await writer.close();
    summary.captures.push(...perCapture);
    summary.splits[split] = splitSummary(path, perCapture);
  }

  await report.close();
  summary.rejections.total = report.size;
  summary.rejections.byCode = report.byCode();
  await writeFile(join(options.out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

function splitSummary(path: string, captures: readonly CaptureSummary[]): SplitSummary {
  const by19 = new Map<string, number>();
  const by6 = new Map<string, number>();
  for (const c of captures) {
    by19.set(c.label19, (by19.get(c.label19) ?? 0) + c.rows);
    const label6 = consolidate(c.label19);
    by6.set(label6, (by6.get(label6) ?? 0) + c.rows);
  }
  return {
    path,
    rows: captures.reduce((s, c) => s + c.rows, 0),
    rejected: captures.reduce((s, c) => s + c.rejected, 0),
    duplicates: captures.reduce((s, c) => s + c.duplicates, 0),
    classes19: countBy(CLASSES_19, by19),
    classes6: countBy(CLASSES_6, by6),
  };
}
