import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InvalidOptionError } from '../../../schemas/errors.js';
import type { FlowRowIndex } from '../../../schemas/flow-batch.js';
import { CLASSES_19, CLASSES_6 } from '../../../schemas/taxonomy.js';
import { carveValidation } from '../../../pipelines/features/splits.js';
import { captureNames, releaseSpecs, rowIndexOf } from '../../helpers/row-index.js';
import type {
  CarveValidationOptions,
  ValidationSplit,
} from '../../../pipelines/features/splits.js';

function assertPartition(split: ValidationSplit, rows: number): void {
  const seen = new Uint8Array(rows);
  for (const list of [split.train, split.validation]) {
    for (let k = 1; k < list.length; k++) assert.ok((list[k - 1] ?? 0) < (list[k] ?? 0));
    for (const row of list) seen[row] = (seen[row] ?? 0) + 1;
  }
  assert.ok(
    seen.every((n) => n === 1),
    'every row exactly once',
  );
}

// Each segment lies on one side and, within one capture, covers a contiguous run of seq.
function assertSegments(split: ValidationSplit, index: FlowRowIndex): void {
  const side = new Uint8Array(index.rows);
  for (const row of split.validation) side[row] = 1;
  const bySegment = new Map<number, { side: number; capture: number; seqs: number[] }>();
  for (let row = 0; row < index.rows; row++) {
    const id = split.segment[row] ?? -1;
    assert.ok(id >= 0 && id < split.report.segments);
    const entry = bySegment.get(id) ?? {
      side: side[row] ?? 0,
      capture: index.capture[row] ?? 0,
      seqs: [],
    };
    assert.equal(entry.side, side[row], `segment ${id} mixes train and validation`);
    assert.equal(entry.capture, index.capture[row], `segment ${id} spans captures`);
    entry.seqs.push(index.seq[row] ?? 0);
    bySegment.set(id, entry);
  }

  assert.equal(bySegment.size, split.report.segments);
  for (const [id, entry] of bySegment) {
    const seqs = entry.seqs.sort((a, b) => a - b);
    assert.equal((seqs.at(-1) ?? 0) - (seqs[0] ?? 0), seqs.length - 1, `segment ${id} has a gap`);
  }
}

// Validation rows per capture, by capture index.
function validationPerCapture(
  split: ValidationSplit,
  index: FlowRowIndex,
  count: number,
): number[] {
  const per = new Array<number>(count).fill(0);
  for (const row of split.validation) {
    const c = index.capture[row] ?? 0;
    per[c] = (per[c] ?? 0) + 1;
  }
  return per;
}

function rejectsOption(options: CarveValidationOptions, option: string): void {
  const index = rowIndexOf([{ name: 'Benign_train', label: 'Benign', rows: 50 }]);
  assert.throws(
    () => carveValidation(index, ['Benign_train'], options),
    (error: unknown) => {
      assert.ok(error instanceof InvalidOptionError);
      assert.equal(error.context.option, option);
      assert.match(error.message, new RegExp(`^${option}: `));
      return true;
    },
  );
}

describe("carveValidation in 'blocks' mode", () => {
  const specs = releaseSpecs(1, 40, 400);
  const index = rowIndexOf(specs);

  it('puts every row on exactly one side, both lists ascending', () => {
    const split = carveValidation(index, captureNames(specs), { seed: 7 });
    assertPartition(split, index.rows);
    assert.equal(split.report.train.rows + split.report.validation.rows, index.rows);
  });

  it('sends one of five contiguous blocks of every capture to validation', () => {
    const split = carveValidation(index, captureNames(specs), { seed: 7 });
    assertSegments(split, index);
    assert.equal(split.report.segments, 5 * specs.length);

    const per = validationPerCapture(split, index, specs.length);
    specs.forEach((spec, c) => {
      const block = per[c] ?? 0;
      assert.ok(Math.abs(block - spec.rows / 5) <= 1, `${spec.name}: ${block} of ${spec.rows}`);
    });
  });

  it('orders rows by seq, not by file order', () => {
    const shuffled = rowIndexOf(specs, 3);
    const split = carveValidation(shuffled, captureNames(specs), { seed: 7 });
    assertPartition(split, shuffled.rows);
    assertSegments(split, shuffled);

    // The same (capture, seq) rows go to validation whatever the file order.
    const key = (ix: FlowRowIndex, row: number): string => `${ix.capture[row]}:${ix.seq[row]}`;
    const sorted = carveValidation(index, captureNames(specs), { seed: 7 });
    const expected = new Set(Array.from(sorted.validation, (row) => key(index, row)));
    const actual = new Set(Array.from(split.validation, (row) => key(shuffled, row)));
    assert.deepEqual(actual, expected);
  });

  it('is deterministic for a seed and changes with it', () => {
    const a = carveValidation(index, captureNames(specs), { seed: 11 });
    const b = carveValidation(index, captureNames(specs), { seed: 11 });
    const c = carveValidation(index, captureNames(specs), { seed: 12 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.validation, c.validation);
  });

  it('chooses per capture: adding a capture leaves the others unchanged', () => {
    const fewer = specs.slice(0, 10);
    const a = carveValidation(rowIndexOf(fewer), captureNames(fewer), { seed: 5 });
    const b = carveValidation(index, captureNames(specs), { seed: 5 });
    const rowsOfFirstTen = fewer.reduce((sum, s) => sum + s.rows, 0);
    assert.deepEqual(
      a.validation,
      b.validation.filter((row) => row < rowsOfFirstTen),
    );
  });

  it('keeps a capture too small to cut in training and lists it', () => {
    const small = [
      { name: 'Benign_train', label: 'Benign' as const, rows: 100 },
      { name: 'Recon-Ping_Sweep_train', label: 'Recon-Ping_Sweep' as const, rows: 4 },
      { name: 'ARP_Spoofing_train', label: 'ARP_Spoofing' as const, rows: 30 },
    ];
    const smallIndex = rowIndexOf(small);
    const split = carveValidation(smallIndex, captureNames(small), { minBlockRows: 8 });
    assert.deepEqual(split.report.smallCaptures, ['Recon-Ping_Sweep_train', 'ARP_Spoofing_train']);
    assert.deepEqual(validationPerCapture(split, smallIndex, 3), [20, 0, 0]);
    assertSegments(split, smallIndex);
  });

  it('honours fraction and blocksPerCapture, keeping a training block per capture', () => {
    const one = [{ name: 'Benign_train', label: 'Benign' as const, rows: 1000 }];
    const oneIndex = rowIndexOf(one);
    const at = (options: CarveValidationOptions): number =>
      carveValidation(oneIndex, captureNames(one), options).validation.length;
    assert.equal(at({ fraction: 0.3, blocksPerCapture: 10 }), 300);
    assert.equal(at({ fraction: 0.01, blocksPerCapture: 10 }), 100);
    assert.equal(at({ fraction: 0.99, blocksPerCapture: 4 }), 750);
  });

  it('reports per-class counts of both sides', () => {
    const split = carveValidation(index, captureNames(specs), { seed: 7 });
    for (const [side, rows] of [
      ['train', split.train],
      ['validation', split.validation],
    ] as const) {
      const counts = split.report[side];
      const by19 = new Map<string, number>();
      for (const row of rows) {
        const name = CLASSES_19[index.label19[row] ?? 0] ?? '';
        by19.set(name, (by19.get(name) ?? 0) + 1);
      }
      for (const name of CLASSES_19) assert.equal(counts.classes19[name], by19.get(name) ?? 0);
      const total6 = Object.values(counts.classes6).reduce((a, b) => a + b, 0);
      assert.equal(total6, counts.rows);
      assert.deepEqual(Object.keys(counts.classes6), [...CLASSES_6]);
    }
  });
});

describe("carveValidation in 'capture-disjoint' mode", () => {
  const specs = releaseSpecs(2, 40, 400);
  const index = rowIndexOf(specs);
  const options = { mode: 'capture-disjoint' as const, seed: 3 };

  it('keeps whole captures apart for labels with several captures', () => {
    const split = carveValidation(index, captureNames(specs), options);
    assertPartition(split, index.rows);
    assertSegments(split, index);

    const fallback = new Set(split.report.fallbackLabels);
    const per = validationPerCapture(split, index, specs.length);
    const validationCaptures: string[] = [];
    specs.forEach((spec, c) => {
      if (fallback.has(spec.label)) return;
      assert.ok(per[c] === 0 || per[c] === spec.rows, `${spec.name} is split`);
      if (per[c] === spec.rows) validationCaptures.push(spec.name);
    });
    assert.deepEqual(split.report.validationCaptures.sort(), validationCaptures.sort());
  });

  it('sends at least one capture of each such label to each side', () => {
    const split = carveValidation(index, captureNames(specs), options);
    const fallback = new Set(split.report.fallbackLabels);
    for (const label of CLASSES_19) {
      if (fallback.has(label)) continue;
      assert.ok((split.report.train.classes19[label] ?? 0) > 0, `${label} missing in train`);
      assert.ok(
        (split.report.validation.classes19[label] ?? 0) > 0,
        `${label} missing in validation`,
      );
    }
  });

  it('falls back to blocks for the 11 single-capture labels and lists them', () => {
    const split = carveValidation(index, captureNames(specs), options);
    const single = [
      'Benign',
      'ARP_Spoofing',
      'Recon-OS_Scan',
      'Recon-Ping_Sweep',
      'Recon-Port_Scan',
      'Recon-VulScan',
      'MQTT-DDoS-Connect_Flood',
      'MQTT-DDoS-Publish_Flood',
      'MQTT-DoS-Connect_Flood',
      'MQTT-DoS-Publish_Flood',
      'MQTT-Malformed_Data',
    ];
    assert.deepEqual(split.report.fallbackLabels, single);

    const per = validationPerCapture(split, index, specs.length);
    specs.forEach((spec, c) => {
      if (!single.includes(spec.label)) return;
      assert.ok(Math.abs((per[c] ?? 0) - spec.rows / 5) <= 1, `${spec.name} not split by blocks`);
      assert.ok((split.report.train.classes19[spec.label] ?? 0) > 0);
    });
  });

  it('sends about the fraction of a label’s rows to validation', () => {
    const equal = Array.from({ length: 10 }, (_, i) => ({
      name: `TCP_IP-DoS-UDP${i + 1}_train`,
      label: 'TCP_IP-DoS-UDP' as const,
      rows: 100,
    }));
    for (const fraction of [0.2, 0.3, 0.5]) {
      const split = carveValidation(rowIndexOf(equal), captureNames(equal), {
        ...options,
        fraction,
      });
      assert.equal(split.validation.length, fraction * 1000);
    }
  });

  it('is deterministic for a seed and changes with it', () => {
    const a = carveValidation(index, captureNames(specs), options);
    const b = carveValidation(index, captureNames(specs), options);
    assert.deepEqual(a, b);
    const others = [4, 5, 6].map((seed) =>
      carveValidation(index, captureNames(specs), { ...options, seed }),
    );
    assert.ok(
      others.some((c) => c.report.validationCaptures.join() !== a.report.validationCaptures.join()),
    );
  });

  it('refuses a capture whose rows carry different labels', () => {
    const mixed = rowIndexOf([{ name: 'Benign_train', label: 'Benign', rows: 10 }]);
    mixed.label19[4] = 1;
    assert.throws(
      () => carveValidation(mixed, ['Benign_train'], options),
      /index\.label19: capture Benign_train mixes labels Benign and ARP_Spoofing/,
    );
  });
});

describe('carveValidation options', () => {
  it('applies the documented defaults', () => {
    const index = rowIndexOf([{ name: 'Benign_train', label: 'Benign', rows: 50 }]);
    const { report } = carveValidation(index, ['Benign_train']);
    assert.equal(report.mode, 'blocks');
    assert.equal(report.fraction, 0.2);
    assert.equal(report.blocksPerCapture, 5);
    assert.equal(report.minBlockRows, 1);
    assert.equal(report.seed, 0);
    assert.equal(report.validation.rows, 10);
  });

  it('refuses bad options, naming them', () => {
    for (const fraction of [0, 1, -0.1, 1.5, NaN]) rejectsOption({ fraction }, 'fraction');
    for (const blocksPerCapture of [1, 0, 2.5, NaN]) {
      rejectsOption({ blocksPerCapture }, 'blocksPerCapture');
    }
    rejectsOption({ mode: 'random' as never }, 'mode');
    rejectsOption({ minBlockRows: 0 }, 'minBlockRows');
    rejectsOption({ seed: 1.5 }, 'seed');
  });

  it('refuses an index whose fields disagree with it', () => {
    const index = rowIndexOf([{ name: 'Benign_train', label: 'Benign', rows: 10 }]);
    assert.throws(() => carveValidation(index, []), /index\.capture: row 0 holds 0/);
    const short = { ...index, seq: index.seq.subarray(0, 9) };
    assert.throws(() => carveValidation(short, ['Benign_train']), /index\.seq: has 9 entries/);
    const badLabel = { ...index, label6: Uint8Array.from(index.label6).fill(6) };
    assert.throws(() => carveValidation(badLabel, ['Benign_train']), /index\.label6/);
  });
});
