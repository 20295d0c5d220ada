import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  LABEL_ROWS,
  MAX_ROWS_PER_FILE_FLOOR,
  MIN_ROWS_PER_FILE,
  captureFileCount,
  captureSizes,
  minimumRows,
  rowsFloor,
} from '../../../../pipelines/dataset/synth/capture-sizes.js';
import type { CaptureSize } from '../../../../pipelines/dataset/synth/capture-sizes.js';
import { releaseFileNames } from '../../../../schemas/release.js';
import { CLASSES_6, consolidate } from '../../../../schemas/taxonomy.js';
import type { Label19, Label6, Split } from '../../../../schemas/taxonomy.js';

// The real 6-class row counts of the 45-column release.
const REAL_6: Record<Split, Record<Label6, number>> = {
  train: {
    'TCP_IP-DDoS': 4_779_859,
    'TCP_IP-DoS': 1_805_529,
    MQTT: 262_938,
    Benign: 192_732,
    Recon: 103_726,
    Spoofing: 16_047,
  },
  test: {
    'TCP_IP-DDoS': 1_066_764,
    'TCP_IP-DoS': 416_676,
    MQTT: 63_715,
    Benign: 37_607,
    Recon: 27_676,
    Spoofing: 1_744,
  },
};

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

function rowsBy6(sizes: readonly CaptureSize[], split: Split): Record<Label6, number> {
  const counts = Object.fromEntries(CLASSES_6.map((c) => [c, 0])) as Record<Label6, number>;
  for (const s of sizes) if (s.split === split) counts[consolidate(s.label19)] += s.rows;
  return counts;
}

describe('LABEL_ROWS', () => {
  it('adds up to the real 6-class totals in both splits', () => {
    for (const split of ['train', 'test'] as const) {
      const by6 = Object.fromEntries(CLASSES_6.map((c) => [c, 0])) as Record<Label6, number>;
      for (const [label, rows] of Object.entries(LABEL_ROWS[split])) {
        by6[consolidate(label as Label19)] += rows;
      }
      assert.deepEqual(by6, REAL_6[split]);
    }
  });

  it('makes Recon-Ping_Sweep the smallest label in training', () => {
    const [smallest] = Object.entries(LABEL_ROWS.train).sort((a, b) => a[1] - b[1]);
    assert.deepEqual(smallest, ['Recon-Ping_Sweep', 740]);
  });
});

describe('rowsFloor', () => {
  it('grows from 10 to 20 rows per file with the budget', () => {
    assert.equal(rowsFloor(minimumRows()), MIN_ROWS_PER_FILE);
    assert.equal(rowsFloor(15_000), 15);
    assert.equal(rowsFloor(20_000), MAX_ROWS_PER_FILE_FLOOR);
    assert.equal(rowsFloor(5_000_000), MAX_ROWS_PER_FILE_FLOOR);
  });
});

describe('captureSizes', () => {
  it('covers the 72 release files in release order', () => {
    const sizes = captureSizes(20_000);
    assert.equal(captureFileCount(), 72);
    assert.deepEqual(
      sizes.map((s) => s.file),
      [...releaseFileNames('train'), ...releaseFileNames('test')],
    );
    assert.ok(sizes.every((s) => `${s.stem}_${s.split}.pcap.csv` === s.file));
  });

  it('sums exactly to rows, with every file at or above the floor', () => {
    for (const rows of [minimumRows(), 731, 1_000, 4_321, 20_000, 123_457, 8_775_013]) {
      const sizes = captureSizes(rows);
      assert.equal(sum(sizes.map((s) => s.rows)), rows, `rows ${rows}`);
      const floor = rowsFloor(rows);
      for (const s of sizes) assert.ok(s.rows >= floor, `${s.file}: ${s.rows} < ${floor}`);
    }
  });

  it('gives every file exactly the floor at the minimum', () => {
    assert.ok(captureSizes(minimumRows()).every((s) => s.rows === MIN_ROWS_PER_FILE));
  });

  it('follows the real 6-class proportions in each split', () => {
    const sizes = captureSizes(500_000);
    const total = sum(Object.values(REAL_6.train)) + sum(Object.values(REAL_6.test));
    for (const split of ['train', 'test'] as const) {
      const got = rowsBy6(sizes, split);
      for (const c of CLASSES_6) {
        const expected = (REAL_6[split][c] / total) * 500_000;
        // The floor lifts the smallest classes a little; everything else is proportional.
        const slack = Math.max(0.03 * expected, 200);
        assert.ok(Math.abs(got[c] - expected) <= slack, `${split} ${c}: ${got[c]} vs ${expected}`);
      }
    }
  });

  it('keeps the order of the classes at the default size', () => {
    const got = rowsBy6(captureSizes(20_000), 'train');
    const order = [...CLASSES_6].sort((a, b) => got[b] - got[a]);
    assert.deepEqual(order, ['TCP_IP-DDoS', 'TCP_IP-DoS', 'MQTT', 'Benign', 'Recon', 'Spoofing']);
  });

  it('shares a label among its numbered captures, unevenly', () => {
    const sizes = captureSizes(1_000_000);
    const icmp = sizes.filter((s) => s.split === 'train' && s.label19 === 'TCP_IP-DDoS-ICMP');
    assert.equal(icmp.length, 8);
    const share = sum(icmp.map((s) => s.rows)) / 1_000_000;
    assert.ok(Math.abs(share - 1_887_175 / 8_775_013) < 1e-4);
    assert.ok(new Set(icmp.map((s) => s.rows)).size > 1);
  });

  it('makes Recon-Ping_Sweep the smallest train file once rows allow it', () => {
    const train = captureSizes(8_775_013).filter((s) => s.split === 'train');
    const smallest = train.reduce((a, b) => (b.rows < a.rows ? b : a));
    assert.equal(smallest.label19, 'Recon-Ping_Sweep');
  });

  it('refuses fewer rows than the minimum', () => {
    assert.throws(() => captureSizes(minimumRows() - 1), RangeError);
  });
});
