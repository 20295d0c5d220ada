import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { friedmanTest } from '../../../pipelines/evaluation/friedman.js';
import { InvalidOptionError } from '../../../schemas/errors.js';

function close(actual: number, expected: number, what: string, tolerance = 1e-12): void {
  assert.ok(Math.abs(actual - expected) < tolerance, `${what}: ${actual} != ${expected}`);
}

function rejects(scores: number[][], message: RegExp): void {
  assert.throws(
    () => friedmanTest(scores),
    (error: unknown) => {
      assert.ok(error instanceof InvalidOptionError);
      assert.equal(error.context.option, 'scores');
      assert.match(error.message, message);
      return true;
    },
  );
}

describe('friedmanTest', () => {
  it('gives chi-square 10 and p = exp(-5) for 5 folds ranking 3 models alike', () => {
    // The paper's result: the ensemble, the LSTM and the autoencoder in one order every fold.
    const folds = [
      [0.94, 0.9, 0.85],
      [0.91, 0.88, 0.86],
      [0.97, 0.95, 0.85],
      [0.89, 0.84, 0.83],
      [0.93, 0.92, 0.87],
    ];
    const result = friedmanTest(folds);

    close(result.chiSquare, 10, 'chi-square');
    assert.equal(result.degreesOfFreedom, 2);
    close(result.pValue, Math.exp(-5), 'p-value');
    close(result.pValue, 0.006737947, 'p-value', 1e-9);
    assert.deepEqual(result.meanRanks, [1, 2, 3]);
    assert.equal(result.tieCorrection, 1);
    assert.equal(result.blocks, 5);
    assert.equal(result.treatments, 3);
  });

  it('gives average ranks to ties and divides by the tie correction', () => {
    // Ranks (1 = highest): [1, 2, 3], [1, 2.5, 2.5], [3, 1, 2]; rank sums 5, 5.5, 7.5.
    // Uncorrected: 12 / (3 * 3 * 4) * (25 + 30.25 + 56.25) - 3 * 3 * 4 = 111.5 / 3 - 36 = 7/6.
    // One tie of 2: correction 1 - (8 - 2) / (3 * 3 * (9 - 1)) = 11/12; chi-square 14/11.
    const result = friedmanTest([
      [0.9, 0.8, 0.7],
      [0.9, 0.8, 0.8],
      [0.7, 0.9, 0.8],
    ]);

    close(result.uncorrectedChiSquare, 7 / 6, 'uncorrected');
    close(result.tieCorrection, 11 / 12, 'tie correction');
    close(result.chiSquare, 14 / 11, 'chi-square');
    // With 2 degrees of freedom the survival function is exp(-x / 2).
    close(result.pValue, Math.exp(-7 / 11), 'p-value');
    result.meanRanks.forEach((rank, j) =>
      close(rank, [5 / 3, 5.5 / 3, 7.5 / 3][j] ?? 0, `rank ${j}`),
    );
  });

  it('reports no difference when every block is tied throughout', () => {
    const result = friedmanTest([
      [0.5, 0.5, 0.5],
      [0.7, 0.7, 0.7],
    ]);

    assert.equal(result.chiSquare, 0);
    assert.equal(result.pValue, 1);
    assert.equal(result.tieCorrection, 0);
    assert.deepEqual(result.meanRanks, [2, 2, 2]);
  });

  it('matches the chi-square tail for 4 treatments', () => {
    // Ranks in every block [1, 2, 3, 4] except the last, [2, 1, 3, 4]; n = 4, k = 4.
    // Rank sums 5, 7, 12, 16: 12 / (4 * 4 * 5) * (25 + 49 + 144 + 256) - 3 * 4 * 5 = 11.1.
    // With 3 degrees of freedom, P(X >= x) = erfc(sqrt(x/2)) + sqrt(2x/pi) exp(-x/2).
    const result = friedmanTest([
      [4, 3, 2, 1],
      [4, 3, 2, 1],
      [4, 3, 2, 1],
      [3, 4, 2, 1],
    ]);
    const x = 11.1;
    const tail = erfc(Math.sqrt(x / 2)) + Math.sqrt((2 * x) / Math.PI) * Math.exp(-x / 2);

    close(result.chiSquare, x, 'chi-square', 1e-9);
    assert.equal(result.degreesOfFreedom, 3);
    close(result.pValue, tail, 'p-value', 1e-6);
  });

  it('refuses fewer than 2 blocks or treatments, ragged rows and non-finite scores', () => {
    rejects([[0.9, 0.8]], /at least 2 blocks/);
    rejects([[0.9], [0.8]], /at least 2 treatments/);
    rejects(
      [
        [0.9, 0.8],
        [0.8, 0.7, 0.6],
      ],
      /block 1 has 3 scores/,
    );
    rejects(
      [
        [0.9, Number.NaN],
        [0.8, 0.7],
      ],
      /block 0, treatment 1 is NaN/,
    );
    rejects(
      [
        [0.9, 0.8],
        [Infinity, 0.7],
      ],
      /block 1, treatment 0 is Infinity/,
    );
  });
});

// erfc from the Taylor series of erf: accurate to about 1e-13 for arguments below 3 (here 2.36).
function erfc(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return 1 - (2 / Math.sqrt(Math.PI)) * sum;
}
