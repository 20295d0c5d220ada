import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { tableToIPC, tableFromArrays } from 'apache-arrow';

import { openFlowFile, type FlowFile } from '../../../pipelines/arrow/flow-reader.js';
import { FlowFileWriter } from '../../../pipelines/arrow/flow-writer.js';
import type { FlowBatch } from '../../../schemas/flow-batch.js';
import { LAYOUT_39 } from '../../../schemas/layouts.js';
import { tempDir } from '../../helpers/paths.js';

const FEATURES = LAYOUT_39.columns;
const ROWS = 1000;

async function collect(file: FlowFile, options?: Parameters<FlowFile['batches']>[0]) {
  const batches: FlowBatch[] = [];
  for await (const batch of file.batches(options)) batches.push(batch);
  const seq = batches.flatMap((b) => [...b.seq]);
  const first = batches.flatMap((b) => [...(b.columns[0] ?? [])]);
  return { batches, seq, first };
}

describe('Arrow flow files', () => {
  let dir = '';
  let cleanup = async () => {};
  let path = '';

  before(async () => {
    ({ dir, cleanup } = await tempDir('arrow'));
    path = join(dir, 'train.arrow');
    const writer = new FlowFileWriter({
      path,
      features: FEATURES,
      captures: ['Benign_train', 'ARP_Spoofing_train'],
      metadata: { layout: '39', source: 'generated', deduplicated: true, excludedFeatures: [] },
      batchRows: 128,
    });
    const values = new Float64Array(FEATURES.length);
    for (let r = 0; r < ROWS; r++) {
      values.fill(r + 0.25);
      const spoofing = r % 2;
      writer.append(values, spoofing, r, { label19: spoofing, label6: spoofing, label2: spoofing });
    }
    await writer.close();
  });
  after(() => cleanup());

  it('read back every row, value and label in file order', async () => {
    const file = await openFlowFile(path);
    try {
      assert.equal(file.info.rows, ROWS);
      assert.equal(file.batchCount, Math.ceil(ROWS / 128));
      assert.deepEqual(file.info.features, FEATURES);
      assert.deepEqual(file.info.captures, ['Benign_train', 'ARP_Spoofing_train']);
      assert.deepEqual(file.metadata, {
        layout: '39',
        source: 'generated',
        deduplicated: true,
        excludedFeatures: [],
      });

      const { batches, seq, first } = await collect(file);
      assert.deepEqual(
        seq,
        Array.from({ length: ROWS }, (_, i) => i),
      );
      assert.deepEqual(
        first,
        Array.from({ length: ROWS }, (_, i) => i + 0.25),
      );
      const labels = batches.flatMap((b) => [...b.label6]);
      assert.deepEqual(
        labels,
        Array.from({ length: ROWS }, (_, i) => i % 2),
      );
      assert.deepEqual([...(batches[0]?.capture.subarray(0, 4) ?? [])], [0, 1, 0, 1]);
    } finally {
      await file.close();
    }
  });

  it('shuffle each epoch deterministically, losing and repeating nothing', async () => {
    const file = await openFlowFile(path);
    try {
      const epoch0 = await collect(file, { shuffle: { seed: 3, epoch: 0 } });
      const again = await collect(file, { shuffle: { seed: 3, epoch: 0 } });
      const epoch1 = await collect(file, { shuffle: { seed: 3, epoch: 1 } });

      assert.deepEqual(epoch0.seq, again.seq);
      assert.notDeepEqual(epoch0.seq, epoch1.seq);
      assert.notDeepEqual(
        epoch0.seq,
        Array.from({ length: ROWS }, (_, i) => i),
      );
      assert.deepEqual(
        [...epoch0.seq].sort((a, b) => a - b),
        Array.from({ length: ROWS }, (_, i) => i),
      );
      // Features travel with their row.
      epoch0.seq.forEach((s, i) => assert.equal(epoch0.first[i], s + 0.25));
    } finally {
      await file.close();
    }
  });

  it('read a selection with repeats, as balancing gives it', async () => {
    const file = await openFlowFile(path);
    try {
      const selection = Uint32Array.from([0, 0, 5, 127, 128, 128, 999]);
      const { seq } = await collect(file, { selection });
      assert.deepEqual(seq, [0, 0, 5, 127, 128, 128, 999]);

      const shuffled = await collect(file, { selection, shuffle: { seed: 1, epoch: 0 } });
      assert.deepEqual(
        [...shuffled.seq].sort((a, b) => a - b),
        [0, 0, 5, 127, 128, 128, 999],
      );
      await assert.rejects(
        file.batches({ selection: Uint32Array.from([5, 1]) }).next(),
        /ascending/,
      );
    } finally {
      await file.close();
    }
  });

  it('refuse an Arrow file not written by the ingest', async () => {
    const other = join(dir, 'other.arrow');
    const table = tableFromArrays({ a: Float32Array.from([1, 2]) });
    await writeFile(other, tableToIPC(table, 'file'));
    await assert.rejects(openFlowFile(other), /not a flow file written by iomt ingest/);
  });
});
