import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { ingestDataset } from '../../../pipelines/arrow/ingest.js';
import type { Rejection } from '../../../pipelines/dataset/rejections.js';
import { generateDataset } from '../../../pipelines/dataset/synth/index.js';
import type { RawFlowRecord } from '../../../schemas/avro/messages.js';
import { openReplaySource, type ReplaySource } from '../../../services/stages/replay-source.js';
import { fixturesDir, tempDir } from '../../helpers/paths.js';

async function readAll(source: ReplaySource, rejections: Rejection[] = []) {
  const records: RawFlowRecord[] = [];
  try {
    for await (const record of source.records({ onRejection: (r) => rejections.push(r) })) {
      records.push(record);
    }
  } finally {
    await source.close();
  }
  return records;
}

describe('replay sources', () => {
  let dir = '';
  let cleanup = async () => {};

  before(async () => {
    ({ dir, cleanup } = await tempDir('replay-source'));
  });
  after(() => cleanup());

  it('reads a generated CSV tree as the Arrow file of its ingest holds it', async () => {
    const tree = join(dir, 'generated');
    await generateDataset({ out: tree, layout: '45', rows: 900, seed: 4 });
    await ingestDataset({ datasetDir: tree, out: join(dir, 'generated-arrow') });

    for (const split of ['test', 'train'] as const) {
      const csv = await openReplaySource({ data: tree, split });
      const arrow = await openReplaySource({ data: join(dir, 'generated-arrow'), split });
      assert.equal(csv.kind, 'csv');
      assert.equal(arrow.kind, 'arrow');
      assert.equal(csv.layout, '45');
      assert.ok((csv.bytes ?? 0) > 0);
      const fromCsv = await readAll(csv);
      const fromArrow = await readAll(arrow);
      assert.equal(fromCsv.length, arrow.rows);
      assert.deepEqual(fromCsv, fromArrow, `${split}: capture, seq, values and label per record`);
    }
  });

  it('keeps the seq of real rows around a rejected one, as the ingest numbers them', async () => {
    const tree = join(dir, 'real');
    await mkdir(join(tree, 'test'), { recursive: true });
    for (const name of ['ARP_Spoofing_test.pcap.csv', 'Benign_test.pcap.csv']) {
      await copyFile(join(fixturesDir(), name), join(tree, 'test', name));
    }
    // Line 17 of the Benign capture: a text field, then one more good row.
    const benign = join(tree, 'test', 'Benign_test.pcap.csv');
    const lines = (await readFile(benign, 'utf8')).trimEnd().split('\n');
    const good = lines[1] ?? '';
    await writeFile(benign, [...lines, good.replace(/^[^,]+/, 'oops'), good, ''].join('\n'));
    const ingest = await ingestDataset({ datasetDir: tree, out: join(dir, 'real-arrow') });

    const rejections: Rejection[] = [];
    const fromCsv = await readAll(await openReplaySource({ data: tree }), rejections);
    const fromArrow = await readAll(await openReplaySource({ data: join(dir, 'real-arrow') }));
    assert.deepEqual(fromCsv, fromArrow);
    assert.equal(fromCsv.length, 31);
    assert.equal(fromCsv[0]?.layout, 'L39');
    assert.equal(fromCsv[0]?.label19, 'ARP_Spoofing');
    const last = fromCsv.filter((r) => r.capture === 'Benign_test').map((r) => r.seq);
    assert.deepEqual(last.slice(-2), [14, 16], 'the rejected row keeps its number');

    const report = await readFile(ingest.rejections.path, 'utf8');
    assert.deepEqual(
      rejections,
      report
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Rejection),
    );
    assert.equal(rejections[0]?.line, 17);
    assert.equal(rejections[0]?.code, 'NOT_NUMERIC');
  });

  it('refuses a folder that is neither, and a tree that mixes layouts', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty);
    await assert.rejects(openReplaySource({ data: empty }), /holds no test\.arrow; as a CSV tree/);

    const mixed = join(dir, 'mixed');
    await mkdir(join(mixed, 'test'), { recursive: true });
    await copyFile(
      join(fixturesDir(), 'Benign_test.pcap.csv'),
      join(mixed, 'test', 'Benign_test.pcap.csv'),
    );
    const generated = join(dir, 'generated', 'WiFI_and_MQTT', 'attacks', 'CSV', 'test');
    await copyFile(
      join(generated, 'ARP_Spoofing_test.pcap.csv'),
      join(mixed, 'test', 'ARP_Spoofing_test.pcap.csv'),
    );
    await assert.rejects(openReplaySource({ data: mixed }), {
      code: 'LAYOUT_UNKNOWN',
      message: /mix CSV layouts \(45-column: ARP_Spoofing_test; 39-column: Benign_test\)/,
    });

    await writeFile(join(dir, 'not-arrow.arrow'), 'no');
    await assert.rejects(openReplaySource({ data: join(dir, 'not-arrow.arrow') }));
  });
});
