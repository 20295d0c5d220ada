import { access, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { InvalidOptionError } from '../../../schemas/errors.js';
import type { LayoutName } from '../../../schemas/layouts.js';
import { CSV_DIR } from '../../../schemas/release.js';
import type { Label19, Split } from '../../../schemas/taxonomy.js';
import { deriveSeed } from '../../features/random.js';
import { CaptureSimulator } from './capture-simulator.js';
import { captureSizes } from './capture-sizes.js';
import type { CaptureSize } from './capture-sizes.js';
import { writeCaptureFile } from './capture-writer.js';
import { headerLine, rowFormatter } from './csv-row.js';
import { NOTICE_FILE, noticeText } from './notice.js';
import type { NoticeFacts } from './notice.js';
import { resolveSynthOptions } from './options.js';
import type { ResolvedSynthOptions, SynthOptions } from './options.js';

/** One capture file that `generateDataset` wrote. */
export interface SynthFileSummary {
  split: Split;
  /** Path relative to `out`, with forward slashes. */
  file: string;
  label19: Label19;
  rows: number;
}

/** What `generateDataset` wrote. */
export interface SynthSummary {
  out: string;
  layout: LayoutName;
  seed: number;
  rows: number;
  files: SynthFileSummary[];
}

// Progress is reported at most once per this many rows, and once at the end.
const PROGRESS_STEP = 10_000;

/**
 * Writes a generated stand-in for the CICIoMT2024 CSV tree under `options.out`: the real
 * release's directories, 72 file names and header, the real class imbalance, and rows drawn
 * from the class profiles (see profiles.ts), with a `GENERATED.md` at the root saying that it
 * is not the real data set. The same options write byte-identical trees.
 *
 * Throws `InvalidOptionError` for a bad option, or when `out` already holds CSV files without a
 * `GENERATED.md` (it could be the real data set), and `IomtError` with code `IO` when a write
 * fails.
 */
export async function generateDataset(options: SynthOptions): Promise<SynthSummary> {
  const resolved = resolveSynthOptions(options);
  const sizes = captureSizes(resolved.rows);
  await prepareTree(resolved.out);

  // The notice goes first, so that even a tree left half-written says what it is.
  await writeFile(join(resolved.out, NOTICE_FILE), noticeText(noticeFacts(resolved, sizes)));

  const files = await writeCaptures(resolved, sizes);
  const { out, layout, seed, rows } = resolved;
  return { out, layout, seed, rows, files };
}

async function prepareTree(out: string): Promise<void> {
  const csvRoot = join(out, ...CSV_DIR);
  if ((await holdsCsv(csvRoot)) && !(await exists(join(out, NOTICE_FILE)))) {
    throw new InvalidOptionError(
      'out',
      `${out} already holds CSV files but no ${NOTICE_FILE}; it may be the real data set, ` +
        'so nothing was written',
    );
  }

  for (const split of ['train', 'test'] as const) {
    await mkdir(join(csvRoot, split), { recursive: true });
  }
}

async function holdsCsv(csvRoot: string): Promise<boolean> {
  for (const split of ['train', 'test']) {
    const names = await readdir(join(csvRoot, split)).catch(() => []);
    if (names.some((name) => name.endsWith('.csv'))) return true;
  }
  return false;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function noticeFacts(options: ResolvedSynthOptions, sizes: readonly CaptureSize[]): NoticeFacts {
  return {
    layout: options.layout,
    seed: options.seed,
    rows: options.rows,
    trainFiles: sizes.filter((s) => s.split === 'train').length,
    testFiles: sizes.filter((s) => s.split === 'test').length,
  };
}

async function writeCaptures(
  options: ResolvedSynthOptions,
  sizes: readonly CaptureSize[],
): Promise<SynthFileSummary[]> {
  const header = headerLine(options.layout);
  const format = rowFormatter(options.layout);
  const seed = captureSeed(options.seed);
  const progress = progressReporter(options);
  const files: SynthFileSummary[] = [];

  // One file at a time: the work is CPU-bound, and the order keeps the output reproducible.
  for (const size of sizes) {
    const { split, stem, label19, rows } = size;
    const simulator = new CaptureSimulator({ split, stem, label19, seed });
    const file = posix.join(...CSV_DIR, split, size.file);
    await writeCaptureFile({
      path: join(options.out, file),
      header,
      rows,
      next: () => simulator.next(),
      format,
      onRows: progress.add,
    });
    files.push({ split, file, label19, rows });
  }

  progress.done();
  return files;
}

// The random source takes 32 bits; folding in the high half keeps large seeds distinct.
function captureSeed(seed: number): number {
  return deriveSeed(seed, 'synth', Math.floor(seed / 2 ** 32));
}

interface ProgressReporter {
  add: (rows: number) => void;
  done: () => void;
}

function progressReporter(options: ResolvedSynthOptions): ProgressReporter {
  const { onProgress, rows: total } = options;
  let written = 0;
  let reported = 0;

  return {
    add: (rows) => {
      written += rows;
      if (onProgress && written - reported >= PROGRESS_STEP) {
        reported = written;
        onProgress(written, total);
      }
    },
    done: () => {
      if (onProgress && reported !== written) onProgress(written, total);
    },
  };
}
