import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { readCaptureRows, readHeader } from '../../../pipelines/dataset/csv-reader.js';
import type { Rejection } from '../../../pipelines/dataset/rejections.js';
import { InvalidInputError } from '../../../schemas/errors.js';
import { LAYOUT_39 } from '../../../schemas/layouts.js';
import { fixturesDir, tempDir } from '../../helpers/paths.js';

async function readAll(path: string, options: Partial<Parameters<typeof readCaptureRows>[1]> = {}) {
  const rejections: Rejection[] = [];
  const rows: number[][] = [];
  const seq: number[] = [];
  for await (const chunk of readCaptureRows(path, {
    onRejection: (r) => rejections.push(r),
    ...options,
  })) {
    const width = chunk.values.length / chunk.rows;
    for (let r = 0; r < chunk.rows; r++) {
      rows.push([...chunk.values.subarray(r * width, (r + 1) * width)]);
      seq.push(chunk.seq[r] ?? -1);
    }
  }
  return { rows, seq, rejections };
}

describe('readCaptureRows', () => {
  let dir = '';
  let cleanup = async () => {};
  const header = LAYOUT_39.columns.join(',');
  const good = LAYOUT_39.columns.map((_, i) => String(i + 0.5)).join(',');

  before(async () => {
    ({ dir, cleanup } = await tempDir('csv'));
  });
  after(() => cleanup());

  it('reads every row of a real fixture with the values of the file', async () => {
    const path = join(fixturesDir(), 'Benign_test.pcap.csv');
    const { rows, seq, rejections } = await readAll(path, { chunkRows: 4 });
    assert.equal(rows.length, 15);
    assert.equal(rejections.length, 0);
    assert.deepEqual(
      seq,
      Array.from({ length: 15 }, (_, i) => i),
    );

    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    const expected = (lines[1] ?? '').split(',').map(Number);
    assert.deepEqual(rows[0], expected);
  });

  it('reports each bad row with its line and reason, and keeps going', async () => {
    const cells = LAYOUT_39.columns.map(() => '1');
    const withValue = (column: number, value: string) =>
      cells.map((c, i) => (i === column ? value : c)).join(',');
    const path = join(dir, 'Benign_train.pcap.csv');
    await writeFile(
      path,
      [
        header,
        good,
        cells.slice(1).join(','),
        withValue(3, 'abc'),
        withValue(4, 'inf'),
        withValue(5, ''),
        good,
      ].join('\n'),
    );

    const { rows, seq, rejections } = await readAll(path);
    assert.equal(rows.length, 2);
    assert.deepEqual(seq, [0, 5]);
    assert.deepEqual(
      rejections.map((r) => [r.line, r.code, r.column]),
      [
        [3, 'FIELD_COUNT', undefined],
        [4, 'NOT_NUMERIC', 'Rate'],
        [5, 'NOT_FINITE', 'fin_flag_number'],
        [6, 'MISSING_VALUE', 'syn_flag_number'],
      ],
    );
    assert.match(rejections[0]?.reason ?? '', /expected 39 fields, found 38/);
    assert.ok(rejections.every((r) => r.file === path));
  });

  it('counts blank lines as lines and reports a row with a broken quote', async () => {
    const path = join(dir, 'Recon-VulScan_train.pcap.csv');
    const cells = LAYOUT_39.columns.map(() => '1');
    const broken = ['"1', ...cells.slice(1)].join(',');
    await writeFile(path, [header, good, '', cells.join(',').replace('1', 'x'), good].join('\n'));
    const { rows, rejections } = await readAll(path);
    assert.equal(rows.length, 2);
    assert.deepEqual(
      rejections.map((r) => [r.line, r.code]),
      [[4, 'NOT_NUMERIC']],
    );

    await writeFile(path, [header, good, broken].join('\n'));
    const quoted = await readAll(path);
    assert.equal(quoted.rows.length, 1);
    assert.equal(quoted.rejections[0]?.code, 'MALFORMED_ROW');
    assert.equal(quoted.rejections[0]?.line, 3);
  });

  it('reads missing values as zero when told to', async () => {
    const path = join(dir, 'ARP_Spoofing_train.pcap.csv');
    const cells = LAYOUT_39.columns.map(() => '2');
    cells[7] = 'NaN';
    await writeFile(path, `${header}\n${cells.join(',')}\n`);

    const { rows, rejections } = await readAll(path, { missing: 'zero' });
    assert.equal(rejections.length, 0);
    assert.equal(rows[0]?.[7], 0);
    assert.equal(rows[0]?.[6], 2);
  });

  it('puts columns in layout order whatever the file order', async () => {
    const path = join(dir, 'Recon-OS_Scan_train.pcap.csv');
    const reversed = [...LAYOUT_39.columns].reverse();
    const values = reversed.map((_, i) => String(i));
    await writeFile(path, `${reversed.join(',')}\n${values.join(',')}\n`);

    const { rows } = await readAll(path);
    assert.equal(rows[0]?.[0], 38);
    assert.equal(rows[0]?.[38], 0);
  });

  it('refuses the partial fixture before reading any row', async () => {
    const path = join(dir, 'partial.csv');
    await copyFile(join(fixturesDir(), 'partial45_ARP_Spoofing_train_head.csv'), path);
    await assert.rejects(readAll(path), (e: unknown) => {
      assert.ok(e instanceof InvalidInputError);
      assert.match(e.message, /missing columns: ack_flag_number/);
      return true;
    });
    await assert.rejects(readHeader(path), /missing columns/);
  });

  it('refuses an empty file', async () => {
    const path = join(dir, 'empty.csv');
    await writeFile(path, '');
    await assert.rejects(readAll(path), /empty: no header line/);
    await assert.rejects(readHeader(path), /empty: no header line/);
  });
});
