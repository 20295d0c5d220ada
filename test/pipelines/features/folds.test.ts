import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InvalidOptionError } from '../../../schemas/errors.js';
import type { FlowRowIndex } from '../../../schemas/flow-batch.js';
import { CLASSES_19, CLASSES_6 } from '../../../schemas/taxonomy.js';
import { assignFolds } from '../../../pipelines/features/folds.js';
import type { AssignFoldsOptions, FoldAssignment } from '../../../pipelines/features/folds.js';
import { captureNames, releaseSpecs, rowIndexOf } from '../../helpers/row-index.js';

// Every segment lies in one fold and one capture, and covers a contiguous run of seq.
function assertSegments(result: FoldAssignment, index: FlowRowIndex): void {
  const bySegment = new Map<number, { fold: number; capture: number; seqs: number[] }>();
  for (let row = 0; row < index.rows; row++) {
    const id = result.segment[row] ?? -1;
    assert.ok(id >= 0 && id < result.report.segments, `segment ${id} in range`);
    const entry = bySegment.get(id) ?? {
      fold: result.fold[row] ?? -1,
      capture: index.capture[row] ?? -1,
      seqs: [],
    };
    assert.equal(entry.fold, result.fold[row], `segment ${id} straddles folds`);
    assert.equal(entry.capture, index.capture[row], `segment ${id} spans captures`);
    entry.seqs.push(index.seq[row] ?? 0);
    bySegment.set(id, entry);
  }

  assert.equal(bySegment.size, result.report.segments);
  for (const [id, entry] of bySegment) {
    const seqs = entry.seqs.sort((a, b) => a - b);
    assert.equal((seqs.at(-1) ?? 0) - (seqs[0] ?? 0), seqs.length - 1, `segment ${id} has a gap`);
  }
}

// Rows per fold of each 19-class label.
function rowsPerLabel(result: FoldAssignment, index: FlowRowIndex, folds: number): number[][] {
  const counts = CLASSES_19.map(() => new Array<number>(folds).fill(0));
  for (let row = 0; row < index.rows; row++) {
    const perFold = counts[index.label19[row] ?? 0] ?? [];
    const f = result.fold[row] ?? 0;
    perFold[f] = (perFold[f] ?? 0) + 1;
  }
  return counts;
}

function rejectsOption(options: AssignFoldsOptions, option: string): void {
  const index = rowIndexOf([{ name: 'Benign_train', label: 'Benign', rows: 50 }]);
  assert.throws(
    () => assignFolds(index, ['Benign_train'], options),
    (error: unknown) => {
      assert.ok(error instanceof InvalidOptionError);
      assert.equal(error.context.option, option);
      return true;
    },
  );
}

describe('assignFolds', () => {
  const specs = releaseSpecs(5, 100, 1500);
  const index = rowIndexOf(specs);
  const captures = captureNames(specs);

  it('puts every row in exactly one fold', () => {
    const result = assignFolds(index, captures, { seed: 3 });

    assert.equal(result.fold.length, index.rows);
    assert.ok(result.fold.every((f) => f < 5));
    const total = result.report.perFold.reduce((sum, fold) => sum + fold.rows, 0);
    assert.equal(total, index.rows);
    assert.equal(result.report.folds, 5);
    assert.equal(result.report.blocksPerCapture, 10);
  });

  it('cuts each capture into contiguous blocks, each wholly in one fold', () => {
    const result = assignFolds(index, captures, { seed: 3 });

    assert.equal(result.report.segments, specs.length * 10);
    assertSegments(result, index);
  });

  it('keeps blocks contiguous in seq when rows arrive out of order', () => {
    const shuffled = rowIndexOf(specs, 11);
    const result = assignFolds(shuffled, captures, { folds: 3, blocksPerCapture: 4, seed: 2 });

    assertSegments(result, shuffled);
    assert.equal(result.report.segments, specs.length * 4);
  });

  it('spreads every label over the folds within one block of even', () => {
    const folds = 5;
    const result = assignFolds(index, captures, { folds, seed: 3 });
    const perLabel = rowsPerLabel(result, index, folds);

    CLASSES_19.forEach((label, l) => {
      const counts = perLabel[l] ?? [];
      const labelSpecs = specs.filter((s) => s.label === label);
      const largestBlock = Math.max(...labelSpecs.map((s) => Math.ceil(s.rows / 10)));
      const spread = Math.max(...counts) - Math.min(...counts);
      assert.ok(spread <= largestBlock, `${label}: per fold ${counts.join(', ')}`);
    });

    // And so every fold holds about a fifth of every 6-class label.
    for (const name of CLASSES_6) {
      const all = result.report.perFold.reduce((sum, fold) => sum + (fold.classes6[name] ?? 0), 0);
      for (const fold of result.report.perFold) {
        const share = (fold.classes6[name] ?? 0) / all;
        assert.ok(Math.abs(share - 1 / folds) < 0.05, `${name}: share ${share}`);
      }
    }
  });

  it('reports rows per fold by 6-class and 19-class label', () => {
    const result = assignFolds(index, captures, { seed: 3 });

    result.report.perFold.forEach((counts, f) => {
      let rows = 0;
      for (let row = 0; row < index.rows; row++) if (result.fold[row] === f) rows++;
      assert.equal(counts.rows, rows);
      assert.deepEqual(Object.keys(counts.classes6), [...CLASSES_6]);
      assert.deepEqual(Object.keys(counts.classes19), [...CLASSES_19]);
      const sum6 = Object.values(counts.classes6).reduce((a, b) => a + b, 0);
      assert.equal(sum6, rows);
    });
  });

  it('is deterministic for a seed, and another seed deals other blocks', () => {
    const first = assignFolds(index, captures, { seed: 9 });
    const again = assignFolds(index, captures, { seed: 9 });
    const other = assignFolds(index, captures, { seed: 10 });

    assert.deepEqual(first.fold, again.fold);
    assert.deepEqual(first.segment, again.segment);
    assert.deepEqual(first.report, again.report);
    assert.notDeepEqual(first.fold, other.fold);
    assert.deepEqual(first.segment, other.segment, 'segment ids do not depend on the seed');
  });

  it('cuts a capture shorter than blocksPerCapture into one block per row', () => {
    const small = [
      { name: 'Benign_train', label: 'Benign' as const, rows: 3 },
      { name: 'ARP_Spoofing_train', label: 'ARP_Spoofing' as const, rows: 40 },
    ];
    const result = assignFolds(rowIndexOf(small), captureNames(small), {
      folds: 2,
      blocksPerCapture: 10,
    });

    assert.equal(result.report.segments, 3 + 10);
    assert.equal(result.report.perFold[0]?.classes19.Benign, 2);
    assert.equal(result.report.perFold[1]?.classes19.Benign, 1);
  });

  it('refuses a capture that mixes labels', () => {
    const mixed = rowIndexOf([{ name: 'Benign_train', label: 'Benign', rows: 20 }]);
    mixed.label19[7] = CLASSES_19.indexOf('ARP_Spoofing');

    assert.throws(
      () => assignFolds(mixed, ['Benign_train'], {}),
      (error: unknown) => error instanceof InvalidOptionError && /mixes labels/.test(error.message),
    );
  });

  it('refuses bad options and a bad index', () => {
    rejectsOption({ folds: 1 }, 'folds');
    rejectsOption({ folds: 256 }, 'folds');
    rejectsOption({ folds: 2.5 }, 'folds');
    rejectsOption({ blocksPerCapture: 0 }, 'blocksPerCapture');
    rejectsOption({ seed: 0.5 }, 'seed');

    const bad = rowIndexOf([{ name: 'Benign_train', label: 'Benign', rows: 5 }]);
    bad.capture[2] = 4;
    assert.throws(
      () => assignFolds(bad, ['Benign_train']),
      (error: unknown) =>
        error instanceof InvalidOptionError && error.context.option === 'index.capture',
    );
  });
});
