import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { describe, it } from 'node:test';

import { IomtError, InvalidInputError, InvalidOptionError } from '../../../schemas/errors.js';
import type { FlowBatch, FlowBatchInfo } from '../../../schemas/flow-batch.js';
import { Random } from '../../../pipelines/features/random.js';
import { Scaler, fitScaler, loadScaler, saveScaler } from '../../../pipelines/features/scaler.js';
import type { ScalerJson } from '../../../pipelines/features/scaler.js';

// A data set as float32 columns, and the float64 two-pass reference of its statistics.
interface Data {
  features: string[];
  columns: Float32Array[];
  rows: number;
}

function info(data: Data, layout: FlowBatchInfo['layout'] = '45'): FlowBatchInfo {
  return { layout, features: data.features, captures: ['c'], rows: data.rows };
}

function generate(rows: number, seed: number, makers: ((r: Random) => number)[]): Data {
  const random = new Random(seed);
  const columns = makers.map(() => new Float32Array(rows));
  for (let i = 0; i < rows; i++) {
    makers.forEach((make, f) => {
      (columns[f] as Float32Array)[i] = make(random);
    });
  }
  return { features: makers.map((_, f) => `f${f}`), columns, rows };
}

function batch(data: Data, from: number, to: number): FlowBatch {
  const rows = to - from;
  return {
    rows,
    columns: data.columns.map((c) => c.slice(from, to)),
    capture: new Int32Array(rows),
    seq: Uint32Array.from({ length: rows }, (_, i) => from + i),
    label19: new Uint8Array(rows),
    label6: new Uint8Array(rows),
    label2: new Uint8Array(rows),
  };
}

// Batches of the given sizes (the last one takes what is left), each after a turn of the event
// loop, as a file reader delivers them.
async function* batches(data: Data, sizes: number[]): AsyncGenerator<FlowBatch> {
  let from = 0;
  for (const size of sizes) {
    const to = Math.min(data.rows, from + size);
    await setImmediate();
    yield batch(data, from, to);
    from = to;
  }
  if (from < data.rows) yield batch(data, from, data.rows);
}

function unevenSizes(rows: number, seed: number): number[] {
  const random = new Random(seed);
  const sizes = [1, 0, 1, 0];
  let total = 2;
  while (total < rows) {
    const size = random.next() < 0.2 ? random.int(0, 2) : random.int(1, 5000);
    sizes.push(size);
    total += size;
  }
  return sizes;
}

function reference(
  data: Data,
  mask?: Uint8Array,
): { count: number; means: number[]; stds: number[] } {
  const included = (i: number): boolean => !mask || mask[i] === 1;
  let count = 0;
  for (let i = 0; i < data.rows; i++) if (included(i)) count++;

  const means = data.columns.map((column) => {
    let sum = 0;
    for (let i = 0; i < data.rows; i++) if (included(i)) sum += column[i] ?? 0;
    return sum / count;
  });
  const stds = data.columns.map((column, f) => {
    let squares = 0;
    for (let i = 0; i < data.rows; i++) {
      if (included(i)) squares += ((column[i] ?? 0) - (means[f] ?? 0)) ** 2;
    }
    return Math.sqrt(squares / count);
  });
  return { count, means, stds };
}

function assertClose(actual: readonly number[], expected: readonly number[], what: string): void {
  assert.equal(actual.length, expected.length);
  expected.forEach((e, f) => {
    const a = actual[f] ?? NaN;
    const scale = Math.max(Math.abs(a), Math.abs(e), 1e-300);
    assert.ok(Math.abs(a - e) / scale <= 1e-9, `${what}[${f}]: ${a} vs reference ${e}`);
  });
}

function dataChecksumOf(data: Data, mask?: Uint8Array): string {
  const hash = createHash('sha256');
  const row = Buffer.alloc(data.columns.length * 4);
  for (let i = 0; i < data.rows; i++) {
    if (mask && mask[i] !== 1) continue;
    data.columns.forEach((column, f) => row.writeFloatLE(column[i] ?? 0, f * 4));
    hash.update(row);
  }
  return hash.digest('hex');
}

async function rejects(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof IomtError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  });
}

function throws(fn: () => unknown, code: string, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InvalidInputError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  });
}

// Large offsets with small noise, mixed magnitudes, constants and outliers.
const ADVERSARIAL: ((r: Random) => number)[] = [
  (r) => 1e8 + 100 * r.normal(),
  (r) => 1e9 + 1000 * r.normal(),
  (r) => 1e-6 * (1 + r.normal()),
  (r) => 1e30 * (1 + 1e-3 * r.normal()),
  (r) => (r.next() < 0.001 ? 1e12 : r.normal()),
  () => 0,
  () => 0.1,
  (r) => r.int(0, 1),
];

describe('fitScaler', () => {
  it('matches a two-pass reference within 1e-9 on random data, however batched', async () => {
    const data = generate(20_000, 1, [
      (r) => r.normal(),
      (r) => 5 + 3 * r.next(),
      (r) => r.int(0, 9),
    ]);
    const expected = reference(data);

    for (const sizes of [[data.rows], [1, 0, 1, 0, 17], unevenSizes(data.rows, 2)]) {
      const scaler = await fitScaler(batches(data, sizes), info(data));
      assert.equal(scaler.count, expected.count);
      assertClose(scaler.means, expected.means, 'mean');
      assertClose(scaler.stds, expected.stds, 'std');
    }
  });

  it('matches the reference within 1e-9 on adversarial data in uneven batches', async () => {
    const data = generate(60_000, 3, ADVERSARIAL);
    const expected = reference(data);

    for (const seed of [4, 5, 6]) {
      const scaler = await fitScaler(batches(data, unevenSizes(data.rows, seed)), info(data));
      assertClose(scaler.means, expected.means, 'mean');
      assertClose(scaler.stds, expected.stds, 'std');
    }
  });

  it('uses data on which the naive sum-of-squares formula fails', () => {
    const data = generate(60_000, 3, ADVERSARIAL);
    const column = data.columns[0] as Float32Array;
    let sum = 0;
    let squares = 0;
    for (const x of column) {
      sum += x;
      squares += x * x;
    }
    const naive = Math.sqrt(squares / data.rows - (sum / data.rows) ** 2);
    const std = reference(data).stds[0] ?? 0;
    assert.ok(Math.abs(naive - std) / std > 1e-9, `naive ${naive} happens to equal ${std}`);
  });

  it('matches the reference with batches of one row each', async () => {
    const data = generate(500, 7, ADVERSARIAL);
    const scaler = await fitScaler(batches(data, new Array<number>(500).fill(1)), info(data));
    const expected = reference(data);
    assertClose(scaler.means, expected.means, 'mean');
    assertClose(scaler.stds, expected.stds, 'std');
  });

  it('uses the population standard deviation (ddof 0)', async () => {
    const data: Data = { features: ['x'], columns: [Float32Array.from([1, 2, 3, 4])], rows: 4 };
    const scaler = await fitScaler(batches(data, [4]), info(data));
    assert.equal(scaler.means[0], 2.5);
    assert.equal(scaler.stds[0], Math.sqrt(1.25));
  });

  it('fits only the rows the mask includes, across batch boundaries', async () => {
    const data = generate(10_000, 8, ADVERSARIAL);
    const random = new Random(9);
    const mask = Uint8Array.from({ length: data.rows }, () => (random.next() < 0.3 ? 1 : 0));
    const expected = reference(data, mask);

    const scaler = await fitScaler(batches(data, unevenSizes(data.rows, 10)), info(data), {
      rowMask: mask,
    });
    assert.equal(scaler.count, expected.count);
    assertClose(scaler.means, expected.means, 'mean');
    assertClose(scaler.stds, expected.stds, 'std');
    assert.equal(scaler.dataChecksum, dataChecksumOf(data, mask));
  });

  it('ignores a non-finite value in a row the mask leaves out', async () => {
    const data = generate(10, 11, [(r) => r.normal()]);
    (data.columns[0] as Float32Array)[3] = NaN;
    const mask = Uint8Array.from({ length: 10 }, (_, i) => (i === 3 ? 0 : 1));
    const scaler = await fitScaler(batches(data, [4, 6]), info(data), { rowMask: mask });
    assert.equal(scaler.count, 9);
    assert.ok(Number.isFinite(scaler.means[0]));
  });

  it('hashes the float32 bytes of the included rows, however batched', async () => {
    const data = generate(3000, 12, ADVERSARIAL);
    const whole = await fitScaler(batches(data, [data.rows]), info(data));
    const split = await fitScaler(batches(data, unevenSizes(data.rows, 13)), info(data));
    assert.equal(whole.dataChecksum, dataChecksumOf(data));
    assert.equal(split.dataChecksum, whole.dataChecksum);
  });

  it('reports progress after each batch', async () => {
    const data = generate(100, 14, [(r) => r.normal()]);
    const seen: number[] = [];
    await fitScaler(batches(data, [30, 0, 50]), info(data), { onProgress: (n) => seen.push(n) });
    assert.deepEqual(seen, [30, 30, 80, 100]);
  });

  it('refuses a mask whose length differs from the rows read', async () => {
    const data = generate(100, 15, [(r) => r.normal()]);
    for (const length of [99, 101]) {
      const rowMask = new Uint8Array(length).fill(1);
      await assert.rejects(fitScaler(batches(data, [40]), info(data), { rowMask }), (error) => {
        assert.ok(error instanceof InvalidOptionError);
        assert.equal(error.context.option, 'rowMask');
        return true;
      });
    }
  });

  it('refuses a non-finite value with its feature and row', async () => {
    const data = generate(100, 16, [(r) => r.normal(), (r) => r.normal()]);
    (data.columns[1] as Float32Array)[57] = Infinity;
    await rejects(fitScaler(batches(data, [50]), info(data)), 'NOT_FINITE', /f1 .*row 57/);
  });

  it('refuses to fit on no rows', async () => {
    const data = generate(10, 17, [(r) => r.normal()]);
    const rowMask = new Uint8Array(10);
    await rejects(
      fitScaler(batches(data, [5]), info(data), { rowMask }),
      'SCALER_INVALID',
      /no rows/,
    );
  });

  it('refuses a batch whose columns disagree with the info', async () => {
    const data = generate(10, 18, [(r) => r.normal(), (r) => r.normal()]);
    const narrow = { ...info(data), features: ['f0'] };
    await rejects(fitScaler(batches(data, [10]), narrow), 'FIELD_COUNT', /2 feature columns/);
  });
});

describe('Scaler constant features', () => {
  it('records std 0, lists them as constant and scales them to exactly 0', async () => {
    const data = generate(1000, 19, ADVERSARIAL);
    const scaler = await fitScaler(batches(data, unevenSizes(data.rows, 20)), info(data));
    assert.equal(scaler.stds[5], 0);
    assert.equal(scaler.stds[6], 0);
    assert.deepEqual(scaler.constant, ['f5', 'f6']);
    assert.deepEqual(scaler.toJSON().constant, ['f5', 'f6']);

    const scaled = scaler.transform(batch(data, 0, data.rows), info(data));
    assert.ok(scaled[5]?.every((v) => v === 0));
    assert.ok(scaled[6]?.every((v) => v === 0));
    assert.ok(scaled.every((column) => column.every(Number.isFinite)));
    assert.ok(
      scaler
        .transformRow([...data.columns.map((c) => c[0] ?? 0)], data.features)
        .every(Number.isFinite),
    );
  });

  it('centres a constant feature without dividing it', async () => {
    const data: Data = { features: ['Drate'], columns: [new Float32Array(5)], rows: 5 };
    const scaler = await fitScaler(batches(data, [5]), info(data));
    assert.deepEqual([...scaler.transformRow([0], ['Drate'])], [0]);
    assert.deepEqual([...scaler.transformRow([2.5], ['Drate'])], [2.5]);
  });
});

describe('Scaler.transform', () => {
  it('gives mean 0 and std 1 on the data it was fitted on', async () => {
    const data = generate(20_000, 21, [
      (r) => 1e8 + 100 * r.normal(),
      (r) => 3 * r.normal() - 7,
      (r) => r.int(0, 1),
    ]);
    const scaler = await fitScaler(batches(data, unevenSizes(data.rows, 22)), info(data));
    const scaled: Data = {
      features: data.features,
      columns: scaler.transform(batch(data, 0, data.rows), info(data)),
      rows: data.rows,
    };

    const { means, stds } = reference(scaled);
    means.forEach((mean) => assert.ok(Math.abs(mean) < 1e-5, `mean ${mean}`));
    stds.forEach((std) => assert.ok(Math.abs(std - 1) < 1e-5, `std ${std}`));
  });

  it('agrees with transformRow', async () => {
    const data = generate(50, 23, ADVERSARIAL);
    const scaler = await fitScaler(batches(data, [50]), info(data));
    const columns = scaler.transform(batch(data, 0, 50), info(data));
    for (let i = 0; i < 50; i++) {
      const row = scaler.transformRow(
        data.columns.map((c) => c[i] ?? 0),
        data.features,
      );
      assert.deepEqual(
        [...row],
        columns.map((c) => c[i]),
      );
    }
  });

  it('refuses a non-finite value with its feature and row', async () => {
    const data = generate(20, 24, [(r) => r.normal(), (r) => r.normal()]);
    const scaler = await fitScaler(batches(data, [20]), info(data));
    const bad = batch(data, 0, 20);
    (bad.columns[1] as Float32Array)[4] = NaN;
    throws(() => scaler.transform(bad, info(data)), 'NOT_FINITE', /f1 \(row 4\) is not finite/);
    throws(() => scaler.transformRow([1, Infinity], data.features), 'NOT_FINITE', /f1/);
  });

  it('refuses a value whose scaled value overflows float32', async () => {
    const data: Data = { features: ['x'], columns: [Float32Array.from([0, 1e-30])], rows: 2 };
    const scaler = await fitScaler(batches(data, [2]), info(data));
    throws(() => scaler.transformRow([3e38], ['x']), 'NOT_FINITE', /float32 range/);
  });
});

describe('Scaler feature checks', () => {
  const data = generate(20, 25, [(r) => r.normal(), (r) => r.normal(), (r) => r.normal()]);
  const fitted = fitScaler(batches(data, [20]), info(data));

  it('refuses a different feature order and names the first position', async () => {
    const scaler = await fitted;
    const swapped = { layout: '45' as const, features: ['f0', 'f2', 'f1'] };
    throws(
      () => scaler.transform(batch(data, 0, 20), swapped),
      'SCALER_MISMATCH',
      /order differs at position 1: expected "f1", got "f2"/,
    );
    throws(() => scaler.transformRow([0, 0, 0], swapped.features), 'SCALER_MISMATCH', /position 1/);
  });

  it('refuses missing and extra features and names them', async () => {
    const scaler = await fitted;
    throws(
      () => scaler.transformRow([0, 0, 0], ['f0', 'f1', 'IAT']),
      'SCALER_MISMATCH',
      /missing features: f2; extra features: IAT/,
    );
    throws(
      () => scaler.transformRow([0, 0], ['f0', 'f1']),
      'SCALER_MISMATCH',
      /missing features: f2/,
    );
  });

  it('refuses a different layout and names both', async () => {
    const scaler = await fitted;
    throws(
      () => scaler.transform(batch(data, 0, 20), { layout: '39', features: data.features }),
      'SCALER_MISMATCH',
      /layout is 39-column, the scaler's is 45-column/,
    );
    throws(() => scaler.transformRow([0, 0, 0], data.features, '39'), 'SCALER_MISMATCH', /layout/);
  });

  it('refuses a record with the wrong number of values', async () => {
    const scaler = await fitted;
    throws(() => scaler.transformRow([0, 0], data.features), 'SCALER_MISMATCH', /2 values/);
  });
});

describe('Scaler JSON', () => {
  const data = generate(500, 26, ADVERSARIAL);
  const fitted = fitScaler(batches(data, [100, 400]), info(data));

  async function json(): Promise<ScalerJson> {
    return JSON.parse(JSON.stringify((await fitted).toJSON())) as ScalerJson;
  }

  it('writes the documented fields in order', async () => {
    const written = await json();
    assert.deepEqual(Object.keys(written), [
      'format',
      'version',
      'layout',
      'ddof',
      'count',
      'features',
      'means',
      'stds',
      'constant',
      'dataChecksum',
      'checksum',
    ]);
    assert.equal(written.format, 'iomt-scaler');
    assert.equal(written.version, 1);
    assert.equal(written.ddof, 0);
    assert.match(written.checksum, /^[0-9a-f]{64}$/);
  });

  it('round-trips exactly', async () => {
    const scaler = await fitted;
    const restored = Scaler.fromJSON(await json());
    assert.deepEqual(restored.toJSON(), scaler.toJSON());
    assert.deepEqual(restored.means, scaler.means);
    assert.deepEqual(restored.stds, scaler.stds);
    const row = data.columns.map((c) => c[7] ?? 0);
    assert.deepEqual(
      restored.transformRow(row, data.features),
      scaler.transformRow(row, data.features),
    );
  });

  it('accepts any key order', async () => {
    const written = await json();
    const reversed = Object.fromEntries(Object.entries(written).reverse());
    assert.deepEqual(Scaler.fromJSON(reversed).toJSON(), written);
  });

  it('refuses a hand-edited value through the checksum', async () => {
    const written = await json();
    written.means[2] = (written.means[2] ?? 0) * 1.000001;
    throws(() => Scaler.fromJSON(written), 'SCALER_INVALID', /checksum does not match/);
  });

  const broken: [string, (j: Record<string, unknown>) => void, RegExp][] = [
    ['a missing field', (j) => delete j.stds, /stds is missing/],
    ['an unknown field', (j) => (j.extra = 1), /extra is not a field/],
    ['another format', (j) => (j.format = 'sklearn'), /format/],
    ['another version', (j) => (j.version = 2), /version 2 is not supported/],
    ['an unknown layout', (j) => (j.layout = '44'), /layout "44"/],
    ['another ddof', (j) => (j.ddof = 1), /ddof/],
    ['a negative std', (j) => ((j.stds as number[])[1] = -1), /stds \[1\] is -1/],
    ['a non-number', (j) => ((j.means as unknown[])[0] = null), /means \[0\] is null/],
    ['a short array', (j) => (j.means as number[]).pop(), /means has 7 entries for 8/],
    ['a bad count', (j) => (j.count = 0.5), /count/],
    ['duplicated features', (j) => ((j.features as string[])[1] = 'f0'), /features lists "f0"/],
    ['inconsistent constants', (j) => (j.constant = ['f5']), /constant lists \[f5\]/],
    ['a bad data checksum', (j) => (j.dataChecksum = 'abc'), /dataChecksum/],
    ['not an object', () => undefined, /root/],
  ];
  for (const [what, edit, pattern] of broken) {
    it(`refuses ${what}, naming the problem`, async () => {
      const written = (await json()) as unknown as Record<string, unknown>;
      edit(written);
      const input = what === 'not an object' ? [written] : written;
      throws(() => Scaler.fromJSON(input), 'SCALER_INVALID', pattern);
    });
  }

  it('saves and loads a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scaler-'));
    try {
      const path = join(dir, 'scaler.json');
      const scaler = await fitted;
      await saveScaler(scaler, path);
      assert.deepEqual((await loadScaler(path)).toJSON(), scaler.toJSON());
      assert.match(await readFile(path, 'utf8'), /^\{\n {2}"format": "iomt-scaler"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file that is not JSON, or edited, naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scaler-'));
    try {
      const path = join(dir, 'scaler.json');
      await writeFile(path, '{"format": ');
      await rejects(loadScaler(path), 'SCALER_INVALID', /scaler\.json: not JSON/);

      const edited = await json();
      edited.count += 1;
      await writeFile(path, JSON.stringify(edited));
      await rejects(loadScaler(path), 'SCALER_INVALID', /scaler\.json: .*checksum/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports a missing file as an IO error', async () => {
    await rejects(loadScaler(join(tmpdir(), 'no-such-scaler.json')), 'IO', /cannot read scaler/);
  });
});
