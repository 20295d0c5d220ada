/**
 * CSV ingest and scaler fit, side by side with pyarrow and numpy doing the same jobs on the same
 * files. Generates a data set tree (reused from the cache when one of the same rows, seed and
 * layout exists), then times, in one run:
 *
 *   1. `ingestDataset`: the CSV tree to one Arrow IPC file per split;
 *   2. `fitScaler` over the train file read with `openFlowFile`;
 *   3. `pyarrow.csv.read_csv` on the same CSV files, writing the same Arrow IPC files, with
 *      pyarrow's thread pool and with one thread;
 *   4. numpy (and pyarrow.compute) mean and std over our train file.
 *
 * Usage: node dist/bench/ingest.bench.js [--rows N] [--layout 45|39] [--seed N] [--markdown]
 * The Python side needs infra/python/setup.sh (or IOMT_PYTHON); without it only ours runs.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

import Table from 'cli-table3';

import { LABEL_CLASSES, METADATA_KEYS } from '../pipelines/arrow/flow-schema.js';
import { openFlowFile } from '../pipelines/arrow/flow-reader.js';
import { ingestDataset } from '../pipelines/arrow/ingest.js';
import type { IngestSummary } from '../pipelines/arrow/ingest.js';
import { generateDataset } from '../pipelines/dataset/synth/index.js';
import { listCaptureFiles, SPLITS } from '../pipelines/dataset/tree.js';
import { fitScaler } from '../pipelines/features/scaler.js';
import type { LayoutName } from '../schemas/layouts.js';
import { machineRows, markdownTable, rate } from './report.js';

const run = promisify(execFile);

// Each Python job gets at most this long; a million rows take well under a minute.
const PYTHON_TIMEOUT_MS = 600_000;
const MB = 1_000_000;

interface BenchOptions {
  rows: number;
  layout: LayoutName;
  seed: number;
  markdown: boolean;
}

/** One timed job: what did it, how many rows, how long, and how many CSV bytes it read. */
interface Measurement {
  job: 'CSV to Arrow IPC' | 'scaler fit (mean, std)';
  implementation: string;
  rows: number;
  seconds: number;
  csvBytes?: number;
}

interface PythonIngest {
  rows: number;
  seconds: number;
  threads: number;
  versions: Record<string, string>;
}

interface PythonMoments {
  rows: number;
  numpy: { seconds: number; means: number[]; stds: number[] };
  compute: { seconds: number; means: number[]; stds: number[] };
  versions: Record<string, string>;
}

function options(): BenchOptions {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000000' },
      layout: { type: 'string', default: '45' },
      seed: { type: 'string', default: '1' },
      markdown: { type: 'boolean', default: false },
    },
  });
  const rows = Number(values.rows);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(rows) || rows <= 0) throw new Error(`--rows: not a row count`);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed: not an integer`);
  if (values.layout !== '45' && values.layout !== '39') throw new Error(`--layout: 45 or 39`);
  return { rows, seed, layout: values.layout, markdown: values.markdown };
}

function cacheDir(): string {
  return process.env.IOMT_CACHE ?? join(homedir(), '.cache/iomt');
}

/** A generated tree for these rows, layout and seed: from the cache, or made now. */
async function datasetTree(opts: BenchOptions): Promise<string> {
  const dir = join(cacheDir(), 'bench', `synth-${opts.layout}-${opts.rows}-seed${opts.seed}`);
  const marker = join(dir, '.complete');
  if (existsSync(marker)) {
    console.error(`reusing the generated tree ${dir}`);
    return dir;
  }

  // A tree without its marker was cut short: start it again.
  await rm(dir, { recursive: true, force: true });
  console.error(`generating ${opts.rows} rows (${opts.layout}-column layout) in ${dir}`);
  const started = performance.now();
  await generateDataset({ out: dir, layout: opts.layout, rows: opts.rows, seed: opts.seed });
  const seconds = (performance.now() - started) / 1000;
  console.error(`generated in ${seconds.toFixed(1)} s`);
  await writeFile(marker, `${JSON.stringify({ ...opts, markdown: undefined })}\n`);
  return dir;
}

/** The first python that can import pyarrow and numpy: IOMT_PYTHON, the venv, python3. */
async function findPython(): Promise<string | undefined> {
  const candidates = process.env.IOMT_PYTHON
    ? [process.env.IOMT_PYTHON]
    : [join(cacheDir(), 'venv/bin/python'), 'python3'];
  for (const python of candidates) {
    try {
      await run(python, ['-c', 'import pyarrow, numpy'], { timeout: 30_000 });
      return python;
    } catch {
      // Not there, or without pyarrow or numpy: try the next one.
    }
  }
  return undefined;
}

async function python<T>(interpreter: string, args: readonly string[]): Promise<T> {
  const script = fileURLToPath(new URL('../../bench/pyarrow_csv.py', import.meta.url));
  const { stdout } = await run(interpreter, [script, ...args], {
    timeout: PYTHON_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as T;
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, (performance.now() - started) / 1000];
}

/** What bench/pyarrow_csv.py needs to write the same split files as our ingest. */
async function writePlan(datasetDir: string, out: string, summary: IngestSummary) {
  const files = await listCaptureFiles(datasetDir);
  const plan = {
    features: summary.features,
    classes: LABEL_CLASSES,
    metadata: {
      [METADATA_KEYS.layout]: summary.layout,
      [METADATA_KEYS.source]: summary.source,
      [METADATA_KEYS.deduplicated]: String(summary.deduplicated),
      [METADATA_KEYS.excludedFeatures]: JSON.stringify(summary.excludedFeatures),
    },
    splits: SPLITS.map((split) => ({
      out: join(out, 'pyarrow', `${split}.arrow`),
      files: files.filter((f) => f.split === split),
    })).filter((s) => s.files.length > 0),
  };
  await mkdir(join(out, 'pyarrow'), { recursive: true });
  const path = join(out, 'plan.json');
  await writeFile(path, JSON.stringify(plan));
  return path;
}

function maxRelativeDifference(a: readonly number[], b: readonly number[]): number {
  return Math.max(
    ...a.map((x, i) => {
      const y = b[i] ?? Number.NaN;
      const scale = Math.max(Math.abs(x), Math.abs(y));
      return scale === 0 ? 0 : Math.abs(x - y) / scale;
    }),
  );
}

function threadCount(n: number): string {
  return n === 1 ? '1 thread' : `${n} threads`;
}

function resultRows(measurements: readonly Measurement[]): string[][] {
  const ours = new Map(
    measurements.filter((m) => m.implementation.startsWith('ours')).map((m) => [m.job, m]),
  );
  const jobs = [...new Set(measurements.map((m) => m.job))];
  const grouped = jobs.flatMap((job) => measurements.filter((m) => m.job === job));
  return grouped.map((m) => {
    const base = ours.get(m.job);
    const relative = base ? (m.rows / m.seconds / (base.rows / base.seconds)).toFixed(2) : '';
    return [
      m.job,
      m.implementation,
      m.rows.toLocaleString('en-US'),
      m.seconds.toFixed(2),
      rate(m.rows, m.seconds),
      m.csvBytes ? (m.csvBytes / MB / m.seconds).toFixed(1) : '',
      `${relative}x`,
    ];
  });
}

const HEADER = ['job', 'implementation', 'rows', 's', 'rows/s', 'CSV MB/s', 'vs ours'];

async function main(): Promise<void> {
  const opts = options();
  const datasetDir = await datasetTree(opts);
  const files = await listCaptureFiles(datasetDir);
  const csvBytes = (await Promise.all(files.map((f) => stat(f.path)))).reduce(
    (sum, s) => sum + s.size,
    0,
  );
  const out = await mkdtemp(join(cacheDir(), 'bench', 'run-'));
  const measurements: Measurement[] = [];

  try {
    console.error('ingest: ours');
    const [summary, ingestSeconds] = await timed(() =>
      ingestDataset({ datasetDir, out: join(out, 'ours') }),
    );
    const ingestedRows = Object.values(summary.splits).reduce((s, x) => s + x.rows, 0);
    measurements.push({
      job: 'CSV to Arrow IPC',
      implementation: 'ours: ingestDataset',
      rows: ingestedRows,
      seconds: ingestSeconds,
      csvBytes,
    });

    console.error('scaler fit: ours');
    const train = join(out, 'ours', 'train.arrow');
    const flowFile = await openFlowFile(train);
    const [scaler, fitSeconds] = await timed(async () => {
      try {
        return await fitScaler(flowFile.batches(), flowFile.info);
      } finally {
        await flowFile.close();
      }
    });
    measurements.push({
      job: 'scaler fit (mean, std)',
      implementation: 'ours: openFlowFile + fitScaler',
      rows: scaler.count,
      seconds: fitSeconds,
    });

    const interpreter = await findPython();
    const versions: Record<string, string> = {};
    if (!interpreter) {
      console.error('no python with pyarrow and numpy: run infra/python/setup.sh');
    } else {
      const plan = await writePlan(datasetDir, out, summary);
      for (const threads of [0, 1]) {
        console.error(`ingest: pyarrow, ${threads === 0 ? 'default pool' : '1 thread'}`);
        const result = await python<PythonIngest>(interpreter, [
          'ingest',
          plan,
          '--threads',
          String(threads),
        ]);
        Object.assign(versions, result.versions);
        if (result.rows !== ingestedRows) {
          console.error(`pyarrow wrote ${result.rows} rows, ours ${ingestedRows}`);
        }
        measurements.push({
          job: 'CSV to Arrow IPC',
          implementation: `pyarrow read_csv + IPC write, ${threadCount(result.threads)}`,
          rows: result.rows,
          seconds: result.seconds,
          csvBytes,
        });
      }

      console.error('scaler fit: numpy and pyarrow.compute');
      const moments = await python<PythonMoments>(interpreter, ['moments', train]);
      for (const [name, m] of [
        ['numpy mean + std (float64)', moments.numpy],
        ['pyarrow.compute mean + stddev', moments.compute],
      ] as const) {
        measurements.push({
          job: 'scaler fit (mean, std)',
          implementation: name,
          rows: moments.rows,
          seconds: m.seconds,
        });
      }
      const meanGap = maxRelativeDifference(scaler.means, moments.numpy.means);
      const stdGap = maxRelativeDifference(scaler.stds, moments.numpy.stds);
      console.error(
        `numpy against our scaler: max relative difference ${meanGap.toExponential(2)} ` +
          `(means), ${stdGap.toExponential(2)} (stds)`,
      );
    }

    const rows = resultRows(measurements);
    const table = new Table({ head: HEADER });
    table.push(...rows);
    const machine = [
      ...(await machineRows()),
      ...Object.entries(versions).map(([name, version]) => [name, version]),
      ['data', `generated, ${opts.layout}-column layout, seed ${opts.seed}`],
      ['rows', `${ingestedRows.toLocaleString('en-US')} (train + test)`],
      ['CSV', `${(csvBytes / MB).toFixed(1)} MB in ${files.length} files`],
    ];
    const machineTable = new Table();
    machineTable.push(...machine);

    console.log(table.toString());
    console.log(machineTable.toString());
    if (opts.markdown) {
      console.log(`\n${markdownTable(HEADER, rows)}\n`);
      console.log(markdownTable(['', ''], machine));
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

await main();
