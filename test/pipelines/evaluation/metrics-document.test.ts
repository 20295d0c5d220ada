import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Random } from '../../../pipelines/features/random.js';
import { argmaxRows, classificationMetrics } from '../../../pipelines/evaluation/metrics.js';
import {
  describeData,
  evaluateModel,
  meanAndSd,
  rocForDocument,
} from '../../../pipelines/evaluation/metrics-document.js';
import { oneVsRest } from '../../../pipelines/evaluation/roc.js';
import { InvalidOptionError } from '../../../schemas/errors.js';
import { SAMPLE_DATA, classProbabilities } from '../../helpers/metrics-document.js';

const CLASSES = ['a', 'b', 'c', 'd'];

// Noisy probabilities that favour the true class; class d has no row.
function sample(rows: number, seed: number): { yTrue: Uint8Array; probabilities: Float32Array } {
  const random = new Random(seed);
  const yTrue = Uint8Array.from({ length: rows }, () => random.int(0, 2));
  return { yTrue, probabilities: classProbabilities(yTrue, CLASSES.length, 1.5, random) };
}

describe('evaluateModel', () => {
  const { yTrue, probabilities } = sample(3000, 4);

  it('scores the argmax predictions and keeps the AUC of each full curve', () => {
    const evaluation = evaluateModel(probabilities, yTrue, CLASSES, { maxRocPoints: 40 });
    const full = oneVsRest(probabilities, yTrue, CLASSES);

    assert.deepEqual(
      evaluation.metrics,
      classificationMetrics(yTrue, argmaxRows(probabilities, CLASSES.length), CLASSES),
    );
    evaluation.roc.classes.forEach((entry, c) => {
      assert.equal(entry.auc, full.classes[c]?.auc);
      if (entry.curve === null) return;
      assert.ok(entry.curve.fpr.length <= 40);
      assert.ok((full.classes[c]?.curve?.fpr.length ?? 0) > 40, 'the full curve was longer');
      assert.deepEqual([entry.curve.fpr[0], entry.curve.tpr[0]], [0, 0]);
      assert.deepEqual([entry.curve.fpr.at(-1), entry.curve.tpr.at(-1)], [1, 1]);
    });
    assert.equal(evaluation.roc.macroAuc, full.macroAuc);
    assert.equal(evaluation.roc.maxPoints, 40);
  });

  it('stores a class without rows with a null AUC and the reason', () => {
    const evaluation = evaluateModel(probabilities, yTrue, CLASSES);
    const d = evaluation.roc.classes[3];

    assert.equal(d?.auc, null);
    assert.equal(d?.curve, null);
    assert.equal(d?.reason, 'no row of this class');
    assert.equal(evaluation.metrics.perClass[3]?.zeroSupport, true);
  });

  it('survives a JSON round trip unchanged (no Infinity, NaN or typed arrays)', () => {
    const evaluation = evaluateModel(probabilities, yTrue, CLASSES);

    assert.deepEqual(JSON.parse(JSON.stringify(evaluation)), evaluation);
  });

  it('refuses fewer than 2 points per curve', () => {
    assert.throws(
      () => rocForDocument(oneVsRest(probabilities, yTrue, CLASSES), 1),
      (error: unknown) => error instanceof InvalidOptionError,
    );
  });
});

describe('meanAndSd', () => {
  it('gives the mean and the sample standard deviation', () => {
    const { mean, sd } = meanAndSd([1, 2, 3, 4]);

    assert.equal(mean, 2.5);
    // Squares 2.25 + 0.25 + 0.25 + 2.25 = 5, over n - 1 = 3.
    assert.ok(Math.abs(sd - Math.sqrt(5 / 3)) < 1e-12);
    assert.deepEqual(meanAndSd([0.9]), { mean: 0.9, sd: 0 });
    assert.ok(Number.isNaN(meanAndSd([]).mean));
  });
});

describe('describeData', () => {
  it('names the source, layout, split, validation, de-duplication and excluded features', () => {
    assert.equal(
      describeData(SAMPLE_DATA),
      'generated data set, 39-column layout; scored on: official test files; validation carved ' +
        'as contiguous blocks of every training capture; de-duplicated; features excluded: IAT',
    );
  });

  it('says when the data is real, capture-disjoint, with duplicates and every feature', () => {
    const text = describeData({
      ...SAMPLE_DATA,
      source: 'csv',
      layout: '45',
      validation: 'capture-disjoint',
      deduplicated: false,
      excludedFeatures: [],
    });

    assert.match(text, /^CICIoMT2024 CSV files \(real data\), 45-column layout; /);
    assert.match(text, /whole training captures per label/);
    assert.match(text, /; not de-duplicated; no features excluded$/);
  });

  it('puts a scope in place of the scored split', () => {
    const text = describeData(SAMPLE_DATA, 'training rows');

    assert.match(text, /; training rows; /);
    assert.doesNotMatch(text, /scored on/);
  });
});
