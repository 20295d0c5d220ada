import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';

import Papa from 'papaparse';

import { LABEL_CLASSES, LABEL_COLUMNS } from '../../pipelines/arrow/flow-schema.js';
import { openFlowFile } from '../../pipelines/arrow/flow-reader.js';
import { ingestDataset } from '../../pipelines/arrow/ingest.js';
import type { IngestOptions } from '../../pipelines/arrow/ingest.js';
import { generateDataset } from '../../pipelines/dataset/synth/index.js';
import { listCaptureFiles } from '../../pipelines/dataset/tree.js';
import type { LayoutName } from '../../schemas/layouts.js';
import { fixturesDir, REPO_ROOT } from '../helpers/paths.js';
import { findPython, skipReason } from '../helpers/python.js';

const run = promisify(execFile);

const SKIP_REASON = skipReason('pyarrow');
const TRAILER = ['capture', 'seq', ...LABEL_COLUMNS];
const TYPES = {
  feature: 'float',
  capture: 'dictionary<values=string, indices=int32, ordered=0>',
  seq: 'uint32',
  label: 'dictionary<values=string, indices=int8, ordered=0>',
};

/** Column name to values: floats and ints as numbers, dictionary columns decoded. */
type Columns = Record<string, (number | string)[]>;

/** What test/integration/read_flow_file.py prints. */
interface PyarrowView {
  pyarrow: string;
  fields: { name: string; type: string; nullable: boolean }[];
  metadata: Record<string, string>;
  num_rows: number;
  num_record_batches: number;
  batch_rows: number[];
  dictionaries: Record<string, string[]>;
  columns: Columns;
}

/** The same columns as our own reader yields them, labels and captures decoded. */
interface ReaderView {
  features: string[];
  batchCount: number;
  batchRows: number[];
  rows: number;
  metadata: Record<string, string>;
  columns: Columns;
}

const python = await findPython('pyarrow');

async function readWithPyarrow(path: string): Promise<PyarrowView> {
  assert.ok(python);
  const script = join(REPO_ROOT, 'test/integration/read_flow_file.py');
  const { stdout } = await run(python, [script, path], {
    timeout: 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(stdout) as PyarrowView;
}

async function readWithOurReader(path: string): Promise<ReaderView> {
  const file = await openFlowFile(path);
  try {
    const { features, captures } = file.info;
    const columns: Columns = Object.fromEntries(
      [...features, ...TRAILER].map((name) => [name, []]),
    );
    const batchRows: number[] = [];
    for await (const batch of file.batches()) {
      batchRows.push(batch.rows);
      for (let r = 0; r < batch.rows; r++) {
        features.forEach((name, f) => columns[name]!.push(batch.columns[f]![r]!));
        columns.capture!.push(captures[batch.capture[r]!]!);
        columns.seq!.push(batch.seq[r]!);
        for (const label of LABEL_COLUMNS) {
          columns[label]!.push(LABEL_CLASSES[label][batch[label][r]!]!);
        }
      }
    }
    const { metadata } = file;
    return {
      features: [...features],
      batchCount: file.batchCount,
      batchRows,
      rows: file.info.rows,
      metadata: {
        'iomt.layout': metadata.layout,
        'iomt.source': metadata.source,
        'iomt.deduplicated': String(metadata.deduplicated),
        'iomt.excluded_features': JSON.stringify(metadata.excludedFeatures),
      },
      columns,
    };
  } finally {
    await file.close();
  }
}

/** The first place two columns differ, in words; undefined when they are identical. */
function firstDifference(
  name: string,
  actual: readonly (number | string)[] | undefined,
  expected: readonly (number | string)[] | undefined,
): string | undefined {
  if (!actual || !expected) return `column ${name}: missing (${!actual ? 'left' : 'right'})`;
  if (actual.length !== expected.length) {
    return `column ${name}: ${actual.length} values against ${expected.length}`;
  }
  const row = actual.findIndex((v, i) => !Object.is(v, expected[i]));
  if (row < 0) return undefined;
  return `column ${name}, row ${row}: ${String(actual[row])} against ${String(expected[row])}`;
}

function assertSameColumns(
  label: string,
  names: readonly string[],
  actual: Columns,
  expected: Columns,
): void {
  const differences = names.flatMap((n) => firstDifference(n, actual[n], expected[n]) ?? []);
  assert.deepEqual(differences, [], `${label} differ`);
}

function assertFlowSchema(view: PyarrowView, features: readonly string[]): void {
  const expected = [
    ...features.map((name) => ({ name, type: TYPES.feature, nullable: false })),
    { name: 'capture', type: TYPES.capture, nullable: false },
    { name: 'seq', type: TYPES.seq, nullable: false },
    ...LABEL_COLUMNS.map((name) => ({ name, type: TYPES.label, nullable: false })),
  ];
  assert.deepEqual(view.fields, expected);
  for (const label of LABEL_COLUMNS) {
    assert.deepEqual(view.dictionaries[label], LABEL_CLASSES[label], `${label} dictionary`);
  }
}

/** Appends the first `rows` data rows of the first train capture to its end once more. */
async function repeatFirstRows(datasetDir: string, rows: number): Promise<void> {
  const file = (await listCaptureFiles(datasetDir)).find((f) => f.split === 'train');
  assert.ok(file);
  const text = (await readFile(file.path, 'utf8')).trimEnd();
  const repeated = text.split('\n').slice(1, rows + 1);
  await writeFile(file.path, `${[text, ...repeated].join('\n')}\n`);
}

function fill(n: number, value: string): string[] {
  return Array.from({ length: n }, () => value);
}

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'iomt-pyarrow-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const GENERATED_CASES: { layout: LayoutName; ingest: Partial<IngestOptions> }[] = [
  { layout: '39', ingest: {} },
  { layout: '45', ingest: { dedupe: true, exclude: ['IAT'] } },
];

describe('Arrow flow files read by pyarrow', () => {
  it('reads the ingested real captures as our reader and the CSV text do', async (t) => {
    if (!python) {
      t.skip(SKIP_REASON);
      return;
    }
    const dir = await tempDir(t);
    const fixtures = fixturesDir();
    const names = ['ARP_Spoofing_test.pcap.csv', 'Benign_test.pcap.csv'];
    await mkdir(join(dir, 'test'), { recursive: true });
    for (const name of names) await copyFile(join(fixtures, name), join(dir, 'test', name));

    const summary = await ingestDataset({ datasetDir: dir, out: join(dir, 'out') });
    const path = join(dir, 'out/test.arrow');
    const pyarrow = await readWithPyarrow(path);
    const ours = await readWithOurReader(path);

    const csv: Columns = {};
    const expectedCaptures: string[] = [];
    const expectedSeq: number[] = [];
    for (const name of names) {
      const text = (await readFile(join(fixtures, name), 'utf8')).trim();
      const [header, ...rows] = Papa.parse<string[]>(text, { delimiter: ',' }).data;
      header!.forEach((column, c) => {
        csv[column] = [...(csv[column] ?? []), ...rows.map((row) => Math.fround(Number(row[c])))];
      });
      expectedCaptures.push(...rows.map(() => name.replace('.pcap.csv', '')));
      expectedSeq.push(...rows.map((_, i) => i));
    }
    const features = Object.keys(csv);

    assert.equal(features.length, 39);
    assertFlowSchema(pyarrow, features);
    assert.deepEqual(pyarrow.metadata, {
      'iomt.layout': '39',
      'iomt.source': 'csv',
      'iomt.deduplicated': 'false',
      'iomt.excluded_features': '[]',
    });
    assert.equal(summary.splits.test?.rows, 30);
    assert.equal(pyarrow.num_rows, 30);
    assert.equal(pyarrow.num_record_batches, ours.batchCount);
    assert.deepEqual(pyarrow.dictionaries.capture, ['ARP_Spoofing_test', 'Benign_test']);

    assertSameColumns(
      'pyarrow and our reader',
      [...features, ...TRAILER],
      pyarrow.columns,
      ours.columns,
    );
    assertSameColumns('pyarrow and the CSV text', features, pyarrow.columns, csv);
    assert.deepEqual(pyarrow.columns.capture, expectedCaptures);
    assert.deepEqual(pyarrow.columns.seq, expectedSeq);
    const perFile = (a: string, b: string) => [...fill(15, a), ...fill(15, b)];
    assert.deepEqual(pyarrow.columns.label19, perFile('ARP_Spoofing', 'Benign'));
    assert.deepEqual(pyarrow.columns.label6, perFile('Spoofing', 'Benign'));
    assert.deepEqual(pyarrow.columns.label2, perFile('Attack', 'Benign'));
  });

  for (const { layout, ingest } of GENERATED_CASES) {
    const how = ingest.dedupe ? ', deduplicated and without IAT,' : '';
    it(`reads a generated ${layout}-column ingest${how} as our reader does`, async (t) => {
      if (!python) {
        t.skip(SKIP_REASON);
        return;
      }
      const dir = await tempDir(t);
      const datasetDir = join(dir, 'dataset');
      await generateDataset({ out: datasetDir, layout, rows: 3_000, seed: 11 });
      // Generated rows are rarely exact duplicates; repeat a few so that de-duplication drops
      // rows and leaves gaps in seq.
      if (ingest.dedupe) await repeatFirstRows(datasetDir, 5);
      const summary = await ingestDataset({
        datasetDir,
        out: join(dir, 'out'),
        batchRows: 500,
        ...ingest,
      });
      if (ingest.dedupe) assert.ok((summary.splits.train?.duplicates ?? 0) >= 5);

      for (const split of ['train', 'test'] as const) {
        const path = join(dir, 'out', `${split}.arrow`);
        const pyarrow = await readWithPyarrow(path);
        const ours = await readWithOurReader(path);

        assertFlowSchema(pyarrow, ours.features);
        assert.equal(ours.features.includes('IAT'), !ingest.exclude);
        assert.deepEqual(pyarrow.metadata, ours.metadata);
        assert.deepEqual(pyarrow.metadata, {
          'iomt.layout': layout,
          'iomt.source': 'generated',
          'iomt.deduplicated': String(ingest.dedupe ?? false),
          'iomt.excluded_features': JSON.stringify(ingest.exclude ?? []),
        });
        assert.equal(pyarrow.num_rows, summary.splits[split]?.rows);
        assert.equal(pyarrow.num_rows, ours.rows);
        assert.equal(pyarrow.num_record_batches, ours.batchCount);
        assert.deepEqual(pyarrow.batch_rows, ours.batchRows);
        assert.deepEqual(pyarrow.dictionaries.capture, [
          ...new Set(summary.captures.filter((c) => c.split === split).map((c) => c.capture)),
        ]);
        if (split === 'train') assert.ok(ours.batchCount > 1, 'train spans several record batches');
        assertSameColumns(
          `${split}: pyarrow and our reader`,
          [...ours.features, ...TRAILER],
          pyarrow.columns,
          ours.columns,
        );
      }
    });
  }
});
