import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CaptureSimulator } from '../../../../pipelines/dataset/synth/capture-simulator.js';
import { headerLine, rowFormatter } from '../../../../pipelines/dataset/synth/csv-row.js';
import { LAYOUT_39, LAYOUT_45 } from '../../../../schemas/layouts.js';
import type { CsvLayout } from '../../../../schemas/layouts.js';
import type { Label19 } from '../../../../schemas/taxonomy.js';

const INTEGER_COLUMNS = [
  'ack_count',
  'syn_count',
  'fin_count',
  'rst_count',
  'Tot sum',
  'Min',
  'Max',
  'Number',
];

// A float as Python writes it: digits with a decimal point, or an exponent.
const FLOAT = /^-?(\d+\.\d+|\d(\.\d+)?e[+-]\d\d+)$/;
const INTEGER = /^-?\d+$/;

function rows(layout: CsvLayout, label19: Label19, n: number): Record<string, string>[] {
  const simulator = new CaptureSimulator({ split: 'test', stem: label19, label19, seed: 1 });
  const format = rowFormatter(layout.name);
  return Array.from({ length: n }, () => {
    const cells = format(simulator.next()).split(',');
    assert.equal(cells.length, layout.columns.length);
    return Object.fromEntries(layout.columns.map((c, i) => [c, cells[i] ?? '']));
  });
}

describe('headerLine', () => {
  it('is the layout columns in order, comma separated', () => {
    assert.equal(headerLine('45'), LAYOUT_45.columns.join(','));
    assert.equal(headerLine('39'), LAYOUT_39.columns.join(','));
    assert.ok(headerLine('45').startsWith('Header_Length,Protocol Type,Duration,Rate,Srate,Drate'));
    assert.ok(headerLine('39').endsWith('IAT,Number,Variance'));
  });
});

describe('rowFormatter', () => {
  it('writes counts as integers and everything else as floats in both layouts', () => {
    for (const layout of [LAYOUT_45, LAYOUT_39]) {
      for (const row of rows(layout, 'Benign', 300)) {
        for (const [column, text] of Object.entries(row)) {
          const integer =
            INTEGER_COLUMNS.includes(column) ||
            (layout.name === '39' && column === 'Protocol Type');
          assert.match(text, integer ? INTEGER : FLOAT, `${layout.name} ${column}`);
        }
      }
    }
  });

  it('writes flag and protocol fractions in steps of 0.1', () => {
    for (const row of rows(LAYOUT_39, 'Recon-OS_Scan', 200)) {
      for (const column of ['syn_flag_number', 'ack_flag_number', 'TCP', 'UDP', 'ARP', 'IPv']) {
        assert.match(row[column] ?? '', /^(0\.\d|1\.0)$/, column);
      }
      assert.equal(row.IPv, row.LLC);
      assert.equal(Number(row.ack_count), Number(row.ack_flag_number) * 10);
    }
  });

  it('keeps Drate at zero and Srate equal to Rate in the 45-column layout', () => {
    for (const row of rows(LAYOUT_45, 'TCP_IP-DDoS-SYN', 200)) {
      assert.equal(row.Drate, '0.0');
      assert.equal(row.Srate, row.Rate);
    }
  });

  it('writes the IAT leakage values in 45 columns and inverse rates in 39', () => {
    assert.ok(rows(LAYOUT_45, 'Benign', 100).every((r) => Number(r.IAT) > 8e7));
    assert.ok(rows(LAYOUT_39, 'Benign', 100).every((r) => Number(r.IAT) < 10));
  });

  it('writes Protocol Type as a protocol number in 39 columns and a mean in 45', () => {
    const numbers = new Set(rows(LAYOUT_39, 'ARP_Spoofing', 300).map((r) => r['Protocol Type']));
    assert.ok([...numbers].every((n) => ['0', '1', '2', '6', '17'].includes(n ?? '')));
    for (const row of rows(LAYOUT_45, 'ARP_Spoofing', 300)) {
      const value = Number(row['Protocol Type']);
      assert.ok(value >= 0 && value <= 17);
    }
  });
});
