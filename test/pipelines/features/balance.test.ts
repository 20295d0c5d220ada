import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InvalidOptionError } from '../../../schemas/errors.js';
import { CLASSES_6 } from '../../../schemas/taxonomy.js';
import { balanceClasses, balanceReport } from '../../../pipelines/features/balance.js';
import type { BalanceOptions } from '../../../pipelines/features/balance.js';
import { Random } from '../../../pipelines/features/random.js';

// Rows with the given number per class, classes interleaved at random.
function labelled(counts: readonly number[], seed = 1): Uint8Array {
  const classOf = counts.flatMap((count, c) => new Array<number>(count).fill(c));
  return Uint8Array.from(new Random(seed).shuffle(classOf));
}

function allRows(classOf: Uint8Array): Uint32Array {
  return Uint32Array.from(classOf, (_, i) => i);
}

function rowsOfClass(classOf: Uint8Array, rows: Uint32Array, c: number): number[] {
  return Array.from(rows).filter((row) => classOf[row] === c);
}

function assertOption(fn: () => unknown, option: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InvalidOptionError);
    assert.equal(error.context.option, option);
    return true;
  });
}

const COUNTS = [500, 40, 120, 0, 300, 75];

describe('balanceClasses', () => {
  const classOf = labelled(COUNTS);
  const rows = allRows(classOf);

  it('gives every non-empty class exactly the target count', () => {
    const result = balanceClasses(classOf, rows, { classes: 6, target: 200, seed: 1 });
    assert.equal(result.target, 200);
    assert.deepEqual(result.before, COUNTS);
    assert.deepEqual(result.after, [200, 200, 200, 0, 200, 200]);
    assert.equal(result.rows.length, 1000);
    for (let c = 0; c < 6; c++) {
      assert.equal(rowsOfClass(classOf, result.rows, c).length, result.after[c]);
    }
  });

  it('returns rows in ascending order', () => {
    const result = balanceClasses(classOf, rows, { classes: 6, target: 200 });
    for (let k = 1; k < result.rows.length; k++) {
      assert.ok((result.rows[k - 1] ?? 0) <= (result.rows[k] ?? 0));
    }
  });

  it('undersamples without replacement, within the candidates', () => {
    const candidates = rows.filter((_, i) => i % 3 !== 0);
    const result = balanceClasses(classOf, candidates, { classes: 6, target: 30, seed: 2 });
    const allowed = new Set(candidates);
    for (const c of [0, 2, 4, 5]) {
      const picked = rowsOfClass(classOf, result.rows, c);
      assert.equal(picked.length, 30);
      assert.equal(new Set(picked).size, 30, `class ${c} has repeats`);
      assert.ok(picked.every((row) => allowed.has(row)));
    }
  });

  it('keeps every row of an oversampled class at least once', () => {
    const result = balanceClasses(classOf, rows, { classes: 6, target: 200, seed: 3 });
    const picked = new Set(rowsOfClass(classOf, result.rows, 1));
    for (const row of rowsOfClass(classOf, rows, 1)) assert.ok(picked.has(row));
    assert.equal(picked.size, 40);
  });

  it('keeps an empty class empty and reports it', () => {
    const result = balanceClasses(classOf, rows, { classes: 6, target: 'max' });
    assert.deepEqual(result.empty, [3]);
    assert.equal(result.after[3], 0);
  });

  it('is deterministic for a seed and independent of the candidates’ order', () => {
    const a = balanceClasses(classOf, rows, { classes: 6, seed: 9 });
    const b = balanceClasses(classOf, Uint32Array.from(rows).reverse(), { classes: 6, seed: 9 });
    assert.deepEqual(a, b);
  });

  it('draws differently with another seed', () => {
    const a = balanceClasses(classOf, rows, { classes: 6, seed: 9 });
    const b = balanceClasses(classOf, rows, { classes: 6, seed: 10 });
    assert.notDeepEqual(a.rows, b.rows);
    assert.deepEqual(a.after, b.after);
  });

  it("draws each class independently of the other classes' counts", () => {
    const a = balanceClasses(classOf, rows, { classes: 6, target: 100, seed: 4 });
    const fewer = rows.filter((row) => classOf[row] !== 4 || row % 2 === 0);
    const b = balanceClasses(classOf, fewer, { classes: 6, target: 100, seed: 4 });
    for (const c of [0, 1, 2, 5]) {
      assert.deepEqual(rowsOfClass(classOf, a.rows, c), rowsOfClass(classOf, b.rows, c));
    }
  });

  it('resolves the named targets over the non-empty classes', () => {
    const target = (t: BalanceOptions['target']): number =>
      balanceClasses(classOf, rows, { classes: 6, target: t }).target;
    assert.equal(target('min'), 40);
    assert.equal(target('max'), 500);
    assert.equal(target('median'), 120);
    assert.equal(target(undefined), 120);
    assert.equal(target('mean'), Math.round(1035 / 5));

    const even = labelled([10, 20, 31, 40]);
    assert.equal(balanceClasses(even, allRows(even), { classes: 4 }).target, 26);
  });

  it('keeps every row once when a class is at the target', () => {
    const result = balanceClasses(classOf, rows, { classes: 6, target: 'max' });
    assert.deepEqual(rowsOfClass(classOf, result.rows, 0), rowsOfClass(classOf, rows, 0));
  });

  it('returns nothing for no candidates', () => {
    const result = balanceClasses(classOf, new Uint32Array(0), { classes: 6 });
    assert.equal(result.rows.length, 0);
    assert.equal(result.target, 0);
    assert.deepEqual(result.empty, [0, 1, 2, 3, 4, 5]);
  });

  it('refuses bad options, naming them', () => {
    const run = (options: BalanceOptions) => () => balanceClasses(classOf, rows, options);
    for (const classes of [0, 257, 2.5, NaN]) assertOption(run({ classes }), 'classes');
    for (const target of [0, -3, 1.5, NaN, 'mode' as never]) {
      assertOption(run({ classes: 6, target }), 'target');
    }
    assertOption(run({ classes: 6, seed: 0.5 }), 'seed');
    assertOption(run({ classes: 4 }), 'classOf');
    assertOption(() => balanceClasses(classOf, Uint32Array.of(5000), { classes: 6 }), 'rows');
  });
});

describe('balanceReport', () => {
  it('lists each class with its counts before and after', () => {
    const classOf = labelled(COUNTS);
    const result = balanceClasses(classOf, allRows(classOf), { classes: 6, target: 100 });
    const report = balanceReport(result, CLASSES_6);
    assert.deepEqual(report[0], { class: 'Benign', before: 500, after: 100 });
    assert.deepEqual(report[3], { class: 'MQTT', before: 0, after: 0 });
    assert.equal(report.length, 6);
  });

  it('refuses names that do not match the classes', () => {
    assertOption(() => balanceReport({ before: [1, 2], after: [1, 1] }, ['a']), 'classNames');
  });
});
