import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { argmaxRows, classificationMetrics } from '../../../pipelines/evaluation/metrics.js';
import type { ClassificationMetrics } from '../../../pipelines/evaluation/metrics.js';
import { InvalidOptionError } from '../../../schemas/errors.js';

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} != ${expected}`);
}

function assertClass(
  result: ClassificationMetrics,
  name: string,
  expected: { precision: number; recall: number; f1: number; support: number; predicted: number },
): void {
  const m = result.perClass.find((c) => c.name === name);
  assert.ok(m, `class ${name} reported`);
  close(m.precision, expected.precision, `${name} precision`);
  close(m.recall, expected.recall, `${name} recall`);
  close(m.f1, expected.f1, `${name} f1`);
  assert.equal(m.support, expected.support);
  assert.equal(m.predicted, expected.predicted);
  assert.equal(m.zeroSupport, expected.support === 0);
}

function rejects(run: () => unknown, option: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof InvalidOptionError);
    assert.equal(error.context.option, option);
    return true;
  });
}

describe('classificationMetrics', () => {
  // 10 rows, 3 classes. Confusion matrix, rows = true, columns = predicted:
  //        a  b  c
  //   a [  2  1  0 ]   support 3
  //   b [  0  2  0 ]   support 2
  //   c [  1  1  3 ]   support 5
  //  predicted 3  4  3
  const classes = ['a', 'b', 'c'];
  const yTrue = [0, 0, 0, 1, 1, 2, 2, 2, 2, 2];
  const yPred = [0, 1, 0, 1, 1, 2, 0, 2, 1, 2];

  it('builds the confusion matrix with true classes as rows', () => {
    const result = classificationMetrics(yTrue, yPred, classes);

    assert.deepEqual(result.confusion, [
      [2, 1, 0],
      [0, 2, 0],
      [1, 1, 3],
    ]);
    assert.equal(result.rows, 10);
    assert.deepEqual(result.classes, classes);
  });

  it('computes accuracy and per-class precision, recall and F1 from the matrix', () => {
    const result = classificationMetrics(yTrue, yPred, classes);

    close(result.accuracy, 7 / 10, 'accuracy');
    // a: TP 2, FP 1, FN 1. b: TP 2, FP 2, FN 0. c: TP 3, FP 0, FN 2.
    assertClass(result, 'a', {
      precision: 2 / 3,
      recall: 2 / 3,
      f1: 2 / 3,
      support: 3,
      predicted: 3,
    });
    assertClass(result, 'b', { precision: 1 / 2, recall: 1, f1: 2 / 3, support: 2, predicted: 4 });
    assertClass(result, 'c', { precision: 1, recall: 3 / 5, f1: 3 / 4, support: 5, predicted: 3 });
    assert.deepEqual(result.zeroDivision, { precision: [], recall: [], f1: [] });
  });

  it('averages unweighted (macro) and by support (weighted)', () => {
    const result = classificationMetrics(yTrue, yPred, classes);

    close(result.macro.precision, (2 / 3 + 1 / 2 + 1) / 3, 'macro precision');
    close(result.macro.recall, (2 / 3 + 1 + 3 / 5) / 3, 'macro recall');
    close(result.macro.f1, (2 / 3 + 2 / 3 + 3 / 4) / 3, 'macro f1');
    close(result.weighted.precision, (3 * (2 / 3) + 2 * (1 / 2) + 5 * 1) / 10, 'weighted P');
    // Support-weighted recall is accuracy, whatever the data.
    close(result.weighted.recall, 7 / 10, 'weighted recall');
    close(result.weighted.f1, (3 * (2 / 3) + 2 * (2 / 3) + 5 * (3 / 4)) / 10, 'weighted f1');
  });

  it('sets zero divisions to 0, lists them, and keeps zero-support classes in macro means', () => {
    // Class z has no row and is never predicted:
    //        x  y  z
    //   x [  1  1  0 ]
    //   y [  0  2  0 ]
    //   z [  0  0  0 ]
    const result = classificationMetrics([0, 0, 1, 1], [0, 1, 1, 1], ['x', 'y', 'z']);

    assert.deepEqual(result.confusion, [
      [1, 1, 0],
      [0, 2, 0],
      [0, 0, 0],
    ]);
    assertClass(result, 'x', { precision: 1, recall: 1 / 2, f1: 2 / 3, support: 2, predicted: 1 });
    assertClass(result, 'y', { precision: 2 / 3, recall: 1, f1: 4 / 5, support: 2, predicted: 3 });
    assertClass(result, 'z', { precision: 0, recall: 0, f1: 0, support: 0, predicted: 0 });
    assert.deepEqual(result.zeroDivision, { precision: ['z'], recall: ['z'], f1: ['z'] });

    close(result.macro.precision, (1 + 2 / 3 + 0) / 3, 'macro precision');
    close(result.macro.recall, (1 / 2 + 1 + 0) / 3, 'macro recall');
    close(result.macro.f1, (2 / 3 + 4 / 5 + 0) / 3, 'macro f1');
    close(result.weighted.precision, (2 * 1 + 2 * (2 / 3)) / 4, 'weighted precision');
    close(result.weighted.f1, (2 * (2 / 3) + 2 * (4 / 5)) / 4, 'weighted f1');
  });

  it('treats a class never predicted as a precision zero division only', () => {
    //        p  q
    //   p [  1  0 ]
    //   q [  2  0 ]
    const result = classificationMetrics([0, 1, 1], [0, 0, 0], ['p', 'q']);

    assertClass(result, 'p', { precision: 1 / 3, recall: 1, f1: 1 / 2, support: 1, predicted: 3 });
    assertClass(result, 'q', { precision: 0, recall: 0, f1: 0, support: 2, predicted: 0 });
    assert.deepEqual(result.zeroDivision, { precision: ['q'], recall: [], f1: [] });
    close(result.accuracy, 1 / 3, 'accuracy');
  });

  it('gives 1 everywhere for perfect predictions', () => {
    const labels = Uint8Array.from([0, 1, 2, 1, 0]);
    const result = classificationMetrics(labels, labels, ['a', 'b', 'c']);

    assert.equal(result.accuracy, 1);
    assert.deepEqual(result.macro, { precision: 1, recall: 1, f1: 1 });
    assert.deepEqual(result.weighted, { precision: 1, recall: 1, f1: 1 });
  });

  it('refuses labels it cannot read', () => {
    rejects(() => classificationMetrics([0, 1], [0], ['a', 'b']), 'yPred');
    rejects(() => classificationMetrics([0, 2], [0, 1], ['a', 'b']), 'yTrue');
    rejects(() => classificationMetrics([0, 1], [0, 0.5], ['a', 'b']), 'yPred');
    rejects(() => classificationMetrics([0, -1], [0, 1], ['a', 'b']), 'yTrue');
    rejects(() => classificationMetrics([], [], ['a', 'b']), 'yTrue');
    rejects(() => classificationMetrics([0], [0], []), 'classes');
  });
});

describe('argmaxRows', () => {
  it('picks the largest probability per row, the first on ties', () => {
    const probabilities = Float32Array.from([0.1, 0.7, 0.2, 0.5, 0.5, 0, 0.2, 0.3, 0.5]);

    assert.deepEqual([...argmaxRows(probabilities, 3)], [1, 0, 2]);
  });

  it('refuses a buffer that is not rows x classes', () => {
    rejects(() => argmaxRows(new Float32Array(5), 3), 'probabilities');
    rejects(() => argmaxRows(new Float32Array(6), 0), 'classes');
  });
});
