import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { readCaptureRows } from '../../../../pipelines/dataset/csv-reader.js';
import { captureSizes, rowsFloor } from '../../../../pipelines/dataset/synth/capture-sizes.js';
import { generateDataset } from '../../../../pipelines/dataset/synth/generator.js';
import type { SynthSummary } from '../../../../pipelines/dataset/synth/generator.js';
import type { SynthOptions } from '../../../../pipelines/dataset/synth/options.js';
import { Random } from '../../../../pipelines/features/random.js';
import { InvalidOptionError } from '../../../../schemas/errors.js';
import { layoutByName } from '../../../../schemas/layouts.js';
import type { LayoutName } from '../../../../schemas/layouts.js';
import { CSV_DIR, releaseFileNames } from '../../../../schemas/release.js';
import { consolidate } from '../../../../schemas/taxonomy.js';
import type { Label19, Split } from '../../../../schemas/taxonomy.js';
import { tempDir } from '../../../helpers/paths.js';

const ROWS = 6_000;
const NUMBER = /^-?(\d+(\.\d+)?|\d(\.\d+)?e[+-]\d\d+)$/;

interface Tree {
  dir: string;
  summary: SynthSummary;
}

/** A capture file's data rows as columns of numbers. */
type Columns = Record<string, number[]>;

async function readColumns(path: string): Promise<Columns> {
  const [header = '', ...lines] = (await readFile(path, 'utf8')).trimEnd().split('\n');
  const names = header.split(',');
  const columns: Columns = Object.fromEntries(names.map((n) => [n, []]));
  for (const line of lines) {
    const cells = line.split(',');
    assert.equal(cells.length, names.length);
    cells.forEach((cell, i) => {
      assert.match(cell, NUMBER, `${path}: ${names[i]} = ${cell}`);
      const value = Number(cell);
      assert.ok(Number.isFinite(value));
      columns[names[i] ?? '']?.push(value);
    });
  }
  return columns;
}

function csvPath(dir: string, split: Split, file: string): string {
  return join(dir, ...CSV_DIR, split, file);
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function lag1(xs: readonly number[]): number {
  const m = mean(xs);
  let num = 0;
  let den = 0;
  for (let t = 0; t < xs.length; t++) {
    const d = (xs[t] ?? 0) - m;
    den += d * d;
    if (t > 0) num += d * ((xs[t - 1] ?? 0) - m);
  }
  return num / den;
}

// Columns of every capture of one label in one split, concatenated.
async function labelColumns(tree: Tree, label19: Label19, column: string): Promise<number[]> {
  const files = tree.summary.files.filter((f) => f.label19 === label19);
  const parts = await Promise.all(files.map((f) => readColumns(join(tree.dir, f.file))));
  return parts.flatMap((p) => p[column] ?? []);
}

async function assertOptionRejected(options: SynthOptions, option: string): Promise<void> {
  await assert.rejects(generateDataset(options), (error: unknown) => {
    assert.ok(error instanceof InvalidOptionError);
    assert.equal(error.context.option, option);
    return true;
  });
}

describe('generateDataset', () => {
  let root = '';
  let cleanup = async (): Promise<void> => {};
  const trees: Partial<Record<LayoutName, Tree>> = {};
  const progress: [number, number][] = [];

  const tree = (layout: LayoutName): Tree => {
    const t = trees[layout];
    if (!t) throw new Error(`no ${layout} tree`);
    return t;
  };

  before(async () => {
    ({ dir: root, cleanup } = await tempDir('synth-generator'));
    for (const layout of ['45', '39'] as const) {
      const dir = join(root, `layout-${layout}`);
      const onProgress = (written: number, total: number): void => {
        if (layout === '45') progress.push([written, total]);
      };
      trees[layout] = {
        dir,
        summary: await generateDataset({ out: dir, layout, rows: ROWS, onProgress }),
      };
    }
  });
  after(() => cleanup());

  it('writes the 72 release files with the layout header in both layouts', async () => {
    for (const layout of ['45', '39'] as const) {
      const { dir } = tree(layout);
      for (const split of ['train', 'test'] as const) {
        const names = (await readdir(join(dir, ...CSV_DIR, split))).sort();
        assert.deepEqual(names, releaseFileNames(split).sort());
        for (const name of names) {
          const text = await readFile(csvPath(dir, split, name), 'utf8');
          const header = text.slice(0, text.indexOf('\n'));
          assert.equal(header, layoutByName(layout).columns.join(','), name);
        }
      }
      assert.equal(releaseFileNames('train').length + releaseFileNames('test').length, 72);
    }
  });

  it('marks the tree as generated, with seed, layout and rows', async () => {
    const notice = await readFile(join(tree('39').dir, 'GENERATED.md'), 'utf8');
    assert.match(notice, /NOT the CICIoMT2024 data set/);
    assert.match(notice, /\| layout \| 39 columns \|/);
    assert.match(notice, /\| seed \| 1 \|/);
    assert.match(notice, new RegExp(`\\| data rows \\(both splits\\) \\| ${ROWS} \\|`));
  });

  it('summarises what it wrote: rows per file that sum to rows and match the files', async () => {
    const { dir, summary } = tree('45');
    assert.deepEqual(
      { out: summary.out, layout: summary.layout, seed: summary.seed, rows: summary.rows },
      { out: dir, layout: '45', seed: 1, rows: ROWS },
    );
    assert.equal(summary.files.length, 72);
    assert.equal(
      summary.files.reduce((s, f) => s + f.rows, 0),
      ROWS,
    );
    assert.deepEqual(
      summary.files.map((f) => f.rows),
      captureSizes(ROWS).map((s) => s.rows),
    );
    for (const file of summary.files) {
      assert.ok(file.rows >= rowsFloor(ROWS), file.file);
      assert.equal(file.file, [...CSV_DIR, file.split, file.file.split('/').pop()].join('/'));
      const text = await readFile(join(dir, file.file), 'utf8');
      assert.equal(text.split('\n').length - 2, file.rows, file.file);
    }
  });

  it('follows the real imbalance between the 6 classes', () => {
    const byClass = new Map<string, number>();
    for (const f of tree('45').summary.files.filter((x) => x.split === 'train')) {
      const c = consolidate(f.label19);
      byClass.set(c, (byClass.get(c) ?? 0) + f.rows);
    }
    const order = [...byClass].sort((a, b) => b[1] - a[1]).map(([c]) => c);
    assert.deepEqual(order, ['TCP_IP-DDoS', 'TCP_IP-DoS', 'MQTT', 'Benign', 'Recon', 'Spoofing']);
    const ddos = (byClass.get('TCP_IP-DDoS') ?? 0) / ROWS;
    assert.ok(Math.abs(ddos - 4_779_859 / 8_775_013) < 0.03, `DDoS share ${ddos}`);
  });

  it("writes only finite numbers in the real files' formats", async () => {
    for (const layout of ['45', '39'] as const) {
      for (const f of tree(layout).summary.files) {
        const columns = await readColumns(join(tree(layout).dir, f.file));
        for (const column of ['ack_count', 'Tot sum', 'Min', 'Max', 'Number']) {
          assert.ok(columns[column]?.every(Number.isInteger), `${f.file} ${column}`);
        }
      }
    }
  });

  it('is read by the project CSV reader without a rejected row', async () => {
    for (const layout of ['45', '39'] as const) {
      const { dir, summary } = tree(layout);
      let rows = 0;
      const rejections: unknown[] = [];
      for (const f of summary.files.slice(0, 12)) {
        const path = join(dir, f.file);
        for await (const chunk of readCaptureRows(path, {
          onRejection: (r) => rejections.push(r),
        })) {
          rows += chunk.rows;
        }
      }
      assert.deepEqual(rejections, []);
      assert.equal(
        rows,
        summary.files.slice(0, 12).reduce((s, f) => s + f.rows, 0),
      );
    }
  });

  it('keeps Drate at zero in the 45-column layout', async () => {
    for (const f of tree('45').summary.files) {
      const columns = await readColumns(join(tree('45').dir, f.file));
      assert.ok(
        columns.Drate?.every((v) => v === 0),
        f.file,
      );
    }
  });

  it('correlates consecutive rows of a capture beyond shuffled rows', async () => {
    const { dir, summary } = tree('39');
    const rng = new Random(7);
    const ordered: number[] = [];
    const shuffled: number[] = [];
    for (const f of summary.files.filter((x) => x.rows >= 60)) {
      const rates = ((await readColumns(join(dir, f.file))).Rate ?? []).map(Math.log);
      ordered.push(lag1(rates));
      shuffled.push(lag1(rng.shuffle([...rates])));
    }
    assert.ok(ordered.length >= 10);
    assert.ok(mean(ordered) > mean(shuffled) + 0.25, `${mean(ordered)} vs ${mean(shuffled)}`);
  });

  it('gives the classes different means', async () => {
    const t = tree('39');
    const syn = mean(await labelColumns(t, 'TCP_IP-DoS-SYN', 'syn_flag_number'));
    const benignSyn = mean(await labelColumns(t, 'Benign', 'syn_flag_number'));
    assert.ok(syn > 0.8 && benignSyn < 0.1, `${syn} vs ${benignSyn}`);

    const udp = mean(await labelColumns(t, 'TCP_IP-DDoS-UDP', 'UDP'));
    const icmp = mean(await labelColumns(t, 'Recon-Ping_Sweep', 'ICMP'));
    assert.ok(udp > 0.9 && icmp > 0.6, `${udp}, ${icmp}`);

    const floodRate = mean((await labelColumns(t, 'TCP_IP-DDoS-ICMP', 'Rate')).map(Math.log));
    const benignRate = mean((await labelColumns(t, 'Benign', 'Rate')).map(Math.log));
    assert.ok(floodRate > benignRate + 2, `${floodRate} vs ${benignRate}`);

    const ttl = mean(await labelColumns(t, 'TCP_IP-DoS-UDP', 'Time_To_Live'));
    assert.ok(Math.abs(ttl - 64) < 3, `TTL ${ttl}`);
  });

  it('writes identical bytes for the same options, other bytes for another seed', async () => {
    const again = join(root, 'again');
    const other = join(root, 'other');
    await generateDataset({ out: again, layout: '45', rows: ROWS });
    await generateDataset({ out: other, layout: '45', rows: ROWS, seed: 2 });

    let differing = 0;
    for (const f of tree('45').summary.files) {
      const original = await readFile(join(tree('45').dir, f.file));
      assert.ok(original.equals(await readFile(join(again, f.file))), f.file);
      if (!original.equals(await readFile(join(other, f.file)))) differing += 1;
    }
    assert.equal(differing, 72);
  });

  it('reports progress up to the total', () => {
    assert.ok(progress.length >= 1);
    assert.deepEqual(progress.at(-1), [ROWS, ROWS]);
    for (let i = 1; i < progress.length; i++) {
      assert.ok((progress[i]?.[0] ?? 0) > (progress[i - 1]?.[0] ?? 0));
    }
  });

  it('rejects bad options with an error naming the option, writing nothing', async () => {
    const out = join(root, 'never');
    await assertOptionRejected({ out, rows: 10 }, 'rows');
    await assertOptionRejected({ out, seed: 1.5 }, 'seed');
    await assertOptionRejected({ out, layout: '44' as LayoutName }, 'layout');
    await assert.rejects(stat(out), { code: 'ENOENT' });
  });

  it('refuses to write over CSV files that carry no GENERATED.md', async () => {
    const out = join(root, 'looks-real');
    await mkdir(join(out, ...CSV_DIR, 'train'), { recursive: true });
    await writeFile(join(out, ...CSV_DIR, 'train', 'Benign_train.pcap.csv'), 'real\n');
    await assertOptionRejected({ out, rows: 1_000 }, 'out');
    assert.equal(
      await readFile(join(out, ...CSV_DIR, 'train', 'Benign_train.pcap.csv'), 'utf8'),
      'real\n',
    );
  });

  it('writes over a tree it generated before', async () => {
    const summary = await generateDataset({ out: tree('39').dir, layout: '39', rows: 1_000 });
    assert.equal(
      summary.files.reduce((s, f) => s + f.rows, 0),
      1_000,
    );
  });
});
