import { InvalidOptionError } from '../../schemas/errors.js';

/** Precision, recall and F1 of one class, or averaged over classes. */
export interface PrecisionRecallF1 {
  precision: number;
  recall: number;
  f1: number;
}

/** The scores of one class, computed one-vs-rest from the confusion matrix. */
export interface ClassMetrics extends PrecisionRecallF1 {
  name: string;
  /** Rows whose true class is this one. */
  support: number;
  /** Rows predicted as this class. */
  predicted: number;
  /** True when no row has this class: its recall is 0 by convention, not by measurement. */
  zeroSupport: boolean;
}

/**
 * Which classes had a zero division, per score. As scikit-learn's default
 * (`zero_division="warn"`), such a score is set to 0:
 * - precision: no row was predicted as the class;
 * - recall: no row has the class (zero support);
 * - f1: neither, so 2 TP + FP + FN = 0.
 */
export interface ZeroDivision {
  precision: string[];
  recall: string[];
  f1: string[];
}

/** What `classificationMetrics` returns; plain numbers and arrays, ready for JSON. */
export interface ClassificationMetrics {
  classes: string[];
  rows: number;
  accuracy: number;
  perClass: ClassMetrics[];
  /**
   * Unweighted mean over every class given, zero-support classes included (their 0 counts), as
   * scikit-learn does when the labels are passed explicitly.
   */
  macro: PrecisionRecallF1;
  /** Mean over classes weighted by support; zero-support classes weigh nothing. */
  weighted: PrecisionRecallF1;
  /** `confusion[t][p]`: rows of true class t predicted as class p. */
  confusion: number[][];
  zeroDivision: ZeroDivision;
}

/**
 * Accuracy, per-class and averaged precision, recall and F1, and the confusion matrix of class
 * predictions. Labels are class indices into `classes`; every class is reported, whether or not
 * it occurs. Zero divisions give 0 and are listed in `zeroDivision` (scikit-learn's default).
 */
export function classificationMetrics(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  classes: readonly string[],
): ClassificationMetrics {
  checkLabels(yTrue, yPred, classes);
  const confusion = confusionMatrix(yTrue, yPred, classes.length);

  const zeroDivision: ZeroDivision = { precision: [], recall: [], f1: [] };
  const perClass = classes.map((name, c) => classMetrics(confusion, c, name, zeroDivision));

  let correct = 0;
  confusion.forEach((row, c) => (correct += row[c] ?? 0));
  return {
    classes: [...classes],
    rows: yTrue.length,
    accuracy: correct / yTrue.length,
    perClass,
    macro: average(perClass, () => 1),
    weighted: average(perClass, (m) => m.support),
    confusion,
    zeroDivision,
  };
}

function checkLabels(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  classes: readonly string[],
): void {
  if (classes.length === 0) throw new InvalidOptionError('classes', 'must not be empty');
  if (yTrue.length === 0) throw new InvalidOptionError('yTrue', 'must not be empty');
  if (yPred.length !== yTrue.length) {
    throw new InvalidOptionError(
      'yPred',
      `has ${yPred.length} labels for ${yTrue.length} true labels`,
    );
  }

  checkClassIndices(yTrue, classes.length, 'yTrue');
  checkClassIndices(yPred, classes.length, 'yPred');
}

/** Throws unless every value is an integer class index in `0 .. classCount - 1`. */
export function checkClassIndices(
  labels: ArrayLike<number>,
  classCount: number,
  option: string,
): void {
  for (let i = 0; i < labels.length; i++) {
    const value = labels[i] ?? -1;
    if (!Number.isInteger(value) || value < 0 || value >= classCount) {
      throw new InvalidOptionError(
        option,
        `row ${i} holds ${value}, not a class index in 0..${classCount - 1}`,
      );
    }
  }
}

function confusionMatrix(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  classCount: number,
): number[][] {
  const matrix = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const row = matrix[yTrue[i] ?? 0];
    const p = yPred[i] ?? 0;
    if (row) row[p] = (row[p] ?? 0) + 1;
  }
  return matrix;
}

function classMetrics(
  confusion: number[][],
  c: number,
  name: string,
  zeroDivision: ZeroDivision,
): ClassMetrics {
  const tp = confusion[c]?.[c] ?? 0;
  const support = (confusion[c] ?? []).reduce((sum, n) => sum + n, 0);
  const predicted = confusion.reduce((sum, row) => sum + (row[c] ?? 0), 0);
  const fp = predicted - tp;
  const fn = support - tp;

  // F1 as 2TP / (2TP + FP + FN): equal to the harmonic mean of P and R where both are defined,
  // and 0 (not a zero division) when TP = 0 but the class was predicted or present.
  const precision = ratio(tp, predicted, name, zeroDivision.precision);
  const recall = ratio(tp, support, name, zeroDivision.recall);
  const f1 = ratio(2 * tp, 2 * tp + fp + fn, name, zeroDivision.f1);
  return { name, precision, recall, f1, support, predicted, zeroSupport: support === 0 };
}

function ratio(numerator: number, denominator: number, name: string, zeros: string[]): number {
  if (denominator > 0) return numerator / denominator;

  zeros.push(name);
  return 0;
}

function average(
  perClass: readonly ClassMetrics[],
  weight: (m: ClassMetrics) => number,
): PrecisionRecallF1 {
  const total = perClass.reduce((sum, m) => sum + weight(m), 0);
  const mean = (score: (m: ClassMetrics) => number): number =>
    total > 0 ? perClass.reduce((sum, m) => sum + weight(m) * score(m), 0) / total : 0;

  return {
    precision: mean((m) => m.precision),
    recall: mean((m) => m.recall),
    f1: mean((m) => m.f1),
  };
}

/** Per row, the index of the largest of its `classes` probabilities (the first on ties). */
export function argmaxRows(probabilities: Float32Array, classes: number): Uint8Array {
  if (!Number.isInteger(classes) || classes < 1 || classes > 256) {
    throw new InvalidOptionError('classes', `must be an integer in 1..256, got ${classes}`);
  }
  if (probabilities.length % classes !== 0) {
    throw new InvalidOptionError(
      'probabilities',
      `has ${probabilities.length} values, not a multiple of ${classes} classes`,
    );
  }

  const rows = probabilities.length / classes;
  const predicted = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) {
      if ((probabilities[r * classes + c] ?? 0) > (probabilities[r * classes + best] ?? 0))
        best = c;
    }
    predicted[r] = best;
  }
  return predicted;
}
