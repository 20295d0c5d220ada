import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';

import { InvalidOptionError } from '../../schemas/errors.js';

/** What `friedmanTest` returns. */
export interface FriedmanResult {
  /** The statistic, divided by the tie correction (as scipy's `friedmanchisquare`). */
  chiSquare: number;
  /** 12 / (n k (k + 1)) * sum_j R_j^2 - 3 n (k + 1), before the tie correction. */
  uncorrectedChiSquare: number;
  /** 1 - sum over tie groups of (t^3 - t) / (n k (k^2 - 1)); 1 when no block has ties. */
  tieCorrection: number;
  /** k - 1. */
  degreesOfFreedom: number;
  /** P(chi-square with k - 1 degrees of freedom >= chiSquare). */
  pValue: number;
  /** Per treatment, its mean rank over the blocks; rank 1 is the best (highest) score. */
  meanRanks: number[];
  /** n: blocks (folds). */
  blocks: number;
  /** k: treatments (models). */
  treatments: number;
}

/**
 * The Friedman test of k treatments (models) over n blocks (folds): `scores[i][j]` is
 * treatment j's score in block i, higher is better. Scores are ranked within each block, tied
 * scores getting their average rank. The statistic is corrected for ties, so it is the one
 * scipy reports; the uncorrected statistic is returned beside it. When every block is tied
 * throughout, the statistic is 0/0: it is reported as 0 with p = 1 (no evidence of a
 * difference).
 */
export function friedmanTest(scores: readonly (readonly number[])[]): FriedmanResult {
  const { n, k } = checkScores(scores);
  const rankSums = new Array<number>(k).fill(0);
  let ties = 0;

  for (const block of scores) {
    const { ranks, tieSum } = rankBlock(block);
    ranks.forEach((rank, j) => (rankSums[j] = (rankSums[j] ?? 0) + rank));
    ties += tieSum;
  }

  const sumOfSquares = rankSums.reduce((sum, r) => sum + r * r, 0);
  const uncorrected = (12 / (n * k * (k + 1))) * sumOfSquares - 3 * n * (k + 1);
  const tieCorrection = 1 - ties / (n * k * (k * k - 1));
  const degreesOfFreedom = k - 1;

  // Rank sums are exact multiples of 1/2, but the statistic's two terms can cancel to a tiny
  // negative number; the chi-square is never below 0.
  const chiSquare = tieCorrection > 0 ? Math.max(0, uncorrected / tieCorrection) : 0;
  const pValue = tieCorrection > 0 ? 1 - chisquareCdf(chiSquare, degreesOfFreedom) : 1;
  return {
    chiSquare,
    uncorrectedChiSquare: Math.max(0, uncorrected),
    tieCorrection,
    degreesOfFreedom,
    pValue,
    meanRanks: rankSums.map((r) => r / n),
    blocks: n,
    treatments: k,
  };
}

function checkScores(scores: readonly (readonly number[])[]): { n: number; k: number } {
  const n = scores.length;
  if (n < 2) throw new InvalidOptionError('scores', `needs at least 2 blocks, got ${n}`);

  const k = scores[0]?.length ?? 0;
  if (k < 2) throw new InvalidOptionError('scores', `needs at least 2 treatments, got ${k}`);
  scores.forEach((block, i) => {
    if (block.length !== k) {
      throw new InvalidOptionError('scores', `block ${i} has ${block.length} scores, block 0 ${k}`);
    }
    block.forEach((value, j) => {
      if (!Number.isFinite(value)) {
        throw new InvalidOptionError('scores', `block ${i}, treatment ${j} is ${value}`);
      }
    });
  });
  return { n, k };
}

// Ranks one block, best (highest) first, ties sharing their average rank; also returns the
// block's sum of t^3 - t over its tie groups, for the tie correction.
function rankBlock(block: readonly number[]): { ranks: number[]; tieSum: number } {
  const order = block.map((_, j) => j).sort((a, b) => (block[b] ?? 0) - (block[a] ?? 0));
  const ranks = new Array<number>(block.length).fill(0);
  let tieSum = 0;

  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (end < order.length && block[order[end] ?? 0] === block[order[start] ?? 0]) end++;

    // Positions start .. end - 1 hold ranks start + 1 .. end: their mean is (start + end + 1) / 2.
    const rank = (start + end + 1) / 2;
    for (let p = start; p < end; p++) ranks[order[p] ?? 0] = rank;
    const t = end - start;
    tieSum += t * t * t - t;
    start = end;
  }
  return { ranks, tieSum };
}
