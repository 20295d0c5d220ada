import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Random } from '../../../pipelines/features/random.js';
import { oneVsRest, rocCurve, thinCurve } from '../../../pipelines/evaluation/roc.js';
import type { RocCurve } from '../../../pipelines/evaluation/roc.js';
import { InvalidOptionError } from '../../../schemas/errors.js';

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} != ${expected}`);
}

function points(curve: RocCurve): [number, number][] {
  return curve.fpr.map((f, i) => [f, curve.tpr[i] ?? Number.NaN]);
}

// P(positive outscores negative) + 1/2 P(tie), over every pair: the definition, by brute force.
function mannWhitney(scores: ArrayLike<number>, truth: ArrayLike<number>): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (truth[i] !== 1) continue;
    for (let j = 0; j < scores.length; j++) {
      if (truth[j] !== 0) continue;
      const a = scores[i] ?? 0;
      const b = scores[j] ?? 0;
      wins += a > b ? 1 : a === b ? 0.5 : 0;
      pairs++;
    }
  }
  return wins / pairs;
}

function trapezoid(curve: RocCurve): number {
  let area = 0;
  for (let i = 1; i < curve.fpr.length; i++) {
    const df = (curve.fpr[i] ?? 0) - (curve.fpr[i - 1] ?? 0);
    area += (df * ((curve.tpr[i] ?? 0) + (curve.tpr[i - 1] ?? 0))) / 2;
  }
  return area;
}

function rejects(run: () => unknown, option: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof InvalidOptionError);
    assert.equal(error.context.option, option);
    return true;
  });
}

describe('rocCurve', () => {
  it('gives a perfect scorer the upper-left staircase and AUC 1', () => {
    const roc = rocCurve([0.9, 0.8, 0.3, 0.1], [1, 1, 0, 0]);

    assert.deepEqual(points(roc.curve), [
      [0, 0],
      [0, 0.5],
      [0, 1],
      [0.5, 1],
      [1, 1],
    ]);
    assert.deepEqual(roc.curve.thresholds, [Infinity, 0.9, 0.8, 0.3, 0.1]);
    assert.equal(roc.auc, 1);
    assert.equal(roc.positives, 2);
    assert.equal(roc.negatives, 2);
  });

  it('gives an inverted scorer the lower-right staircase and AUC 0', () => {
    const roc = rocCurve([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0]);

    assert.deepEqual(points(roc.curve), [
      [0, 0],
      [0.5, 0],
      [1, 0],
      [1, 0.5],
      [1, 1],
    ]);
    assert.equal(roc.auc, 0);
  });

  it('gives a constant scorer the diagonal in one step and AUC 1/2', () => {
    const roc = rocCurve([0.5, 0.5, 0.5, 0.5, 0.5], [1, 0, 0, 1, 0]);

    assert.deepEqual(points(roc.curve), [
      [0, 0],
      [1, 1],
    ]);
    assert.deepEqual(roc.curve.thresholds, [Infinity, 0.5]);
    assert.equal(roc.auc, 0.5);
  });

  it('steps diagonally through tied scores and counts ties 1/2', () => {
    // Groups by descending score: 0.9 {+}, 0.7 {+, -, -}, 0.2 {+, -}; 3 positives, 3 negatives.
    // Points: (0, 0), (0, 1/3), (2/3, 2/3), (1, 1).
    // Area: 2/3 * (1/3 + 2/3) / 2 + 1/3 * (2/3 + 1) / 2 = 1/3 + 5/18 = 11/18.
    // Mann-Whitney: 0.9 beats 3; 0.7 ties 2 and beats 1 (2); 0.2 ties 1 (1/2): 5.5 / 9 = 11/18.
    const scores = [0.7, 0.2, 0.9, 0.7, 0.2, 0.7];
    const truth = [0, 1, 1, 1, 0, 0];
    const roc = rocCurve(scores, truth);

    const expected: [number, number][] = [
      [0, 0],
      [0, 1 / 3],
      [2 / 3, 2 / 3],
      [1, 1],
    ];
    points(roc.curve).forEach(([f, t], i) => {
      close(f, expected[i]?.[0] ?? Number.NaN, `fpr ${i}`);
      close(t, expected[i]?.[1] ?? Number.NaN, `tpr ${i}`);
    });
    assert.deepEqual(roc.curve.thresholds, [Infinity, 0.9, 0.7, 0.2]);
    close(roc.auc, 11 / 18, 'auc');
  });

  it('equals the Mann-Whitney statistic on scores with many ties', () => {
    const random = new Random(7);
    for (let trial = 0; trial < 20; trial++) {
      const rows = random.int(2, 80);
      const scores = Float32Array.from({ length: rows }, () => random.int(0, 6) / 6);
      const truth = Uint8Array.from({ length: rows }, (_, i) =>
        i < 1 ? 1 : i < 2 ? 0 : random.int(0, 1),
      );
      const roc = rocCurve(scores, truth);

      close(roc.auc, mannWhitney(scores, truth), `trial ${trial}`);
      close(roc.auc, trapezoid(roc.curve), `trial ${trial} trapezoid`);
      assert.equal(roc.curve.fpr.at(-1), 1);
      assert.equal(roc.curve.tpr.at(-1), 1);
    }
  });

  it('needs a positive and a negative, matching lengths and no NaN', () => {
    rejects(() => rocCurve([0.1, 0.2], [1, 1]), 'truth');
    rejects(() => rocCurve([0.1, 0.2], [0, 0]), 'truth');
    rejects(() => rocCurve([0.1, 0.2], [0, 1, 1]), 'truth');
    rejects(() => rocCurve([0.1, 0.2], [0, 2]), 'truth');
    rejects(() => rocCurve([Number.NaN, 0.2], [0, 1]), 'scores');
  });
});

describe('oneVsRest', () => {
  it('scores each class by its probability column, and gives null AUC with a reason', () => {
    // Rows x classes (a, b, c); no row is of class c.
    const probabilities = Float32Array.from(
      [
        [0.8, 0.1, 0.1], // a
        [0.6, 0.3, 0.1], // a
        [0.3, 0.6, 0.1], // b
        [0.7, 0.2, 0.1], // b
      ].flat(),
    );
    const result = oneVsRest(probabilities, [0, 0, 1, 1], ['a', 'b', 'c']);
    const [a, b, c] = result.classes;

    // a: positives 0.8, 0.6 against negatives 0.3, 0.7: 0.8 beats both, 0.6 beats one: 3/4.
    assert.equal(a?.auc, 3 / 4);
    // b: positives 0.6, 0.2 against negatives 0.1, 0.3: 0.6 beats both, 0.2 beats one: 3/4.
    assert.equal(b?.auc, 3 / 4);
    assert.equal(c?.auc, null);
    assert.equal(c?.curve, null);
    assert.ok(c && 'reason' in c && /no row of this class/.test(c.reason));
    assert.equal(result.macroAuc, 3 / 4);
  });

  it('has no AUC for a class that every row has', () => {
    const result = oneVsRest(Float32Array.from([0.9, 0.1, 0.4, 0.6]), [0, 0], ['a', 'b']);

    assert.equal(result.classes[0]?.auc, null);
    assert.ok(result.classes[0] && 'reason' in result.classes[0]);
    assert.match((result.classes[0] as { reason: string }).reason, /no row of any other class/);
    assert.equal(result.macroAuc, null);
  });

  it('refuses a probability buffer of the wrong size', () => {
    rejects(() => oneVsRest(new Float32Array(5), [0, 1], ['a', 'b']), 'probabilities');
    rejects(() => oneVsRest(new Float32Array(4), [0, 3], ['a', 'b']), 'yTrue');
  });
});

describe('thinCurve', () => {
  it('drops points on straight runs first, which changes nothing', () => {
    const roc = rocCurve([0.9, 0.8, 0.7, 0.3, 0.2, 0.1], [1, 1, 1, 0, 0, 0]);
    const thin = thinCurve(roc.curve, 3);

    assert.deepEqual(points(thin), [
      [0, 0],
      [0, 1],
      [1, 1],
    ]);
    assert.deepEqual(thin.thresholds, [Infinity, 0.7, 0.1]);
    assert.equal(trapezoid(thin), roc.auc);
  });

  it('keeps at most maxPoints of the curve, its ends included, and stays close in area', () => {
    const random = new Random(3);
    const rows = 4000;
    const truth = Uint8Array.from({ length: rows }, () => random.int(0, 1));
    const scores = Float64Array.from(truth, (t) => random.normal() + t * 1.2);
    const roc = rocCurve(scores, truth);
    const thin = thinCurve(roc.curve, 50);

    assert.ok(roc.curve.fpr.length > 1000);
    assert.equal(thin.fpr.length, 50);
    assert.deepEqual(points(thin)[0], [0, 0]);
    assert.deepEqual(points(thin).at(-1), [1, 1]);
    const original = new Set(points(roc.curve).map((p) => p.join(',')));
    for (const p of points(thin)) assert.ok(original.has(p.join(',')), 'a point of the curve');
    for (let i = 1; i < thin.fpr.length; i++) {
      assert.ok((thin.fpr[i] ?? 0) >= (thin.fpr[i - 1] ?? 0), 'fpr stays monotone');
      assert.ok((thin.tpr[i] ?? 0) >= (thin.tpr[i - 1] ?? 0), 'tpr stays monotone');
    }
    assert.ok(Math.abs(trapezoid(thin) - roc.auc) < 0.01);
  });

  it('returns a short curve whole and refuses fewer than 2 points', () => {
    const roc = rocCurve([0.5, 0.5], [0, 1]);

    assert.deepEqual(thinCurve(roc.curve, 10), roc.curve);
    rejects(() => thinCurve(roc.curve, 1), 'maxPoints');
  });
});
