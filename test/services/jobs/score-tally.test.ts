import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { ScoredEvent } from '../../../schemas/avro/messages.js';
import { ScoreTally } from '../../../services/jobs/score-tally.js';

function event(seq: number, predicted: string, label6: string, unknownAttack = false): ScoredEvent {
  return {
    capture: 'Benign_test',
    seq,
    granularity: 'G6',
    predicted,
    predictedIndex: 0,
    probabilities: [],
    aeProbabilities: [],
    lstmProbabilities: [],
    reconstructionError: 0,
    unknownAttack,
    threshold: 1,
    modelVersion: 'v',
    label19: label6 === 'Benign' ? 'Benign' : 'ARP_Spoofing',
    label6,
    producedAt: 1_000,
    scoredAt: 1_001,
  };
}

describe('ScoreTally', () => {
  it('counts each record once, with its latency, accuracy and dead letters by code', () => {
    const tally = new ScoreTally();
    tally.addScore(event(0, 'Benign', 'Benign'), 1_010);
    tally.addScore(event(1, 'Recon', 'Spoofing', true), 1_020);
    tally.addScore(event(1, 'Recon', 'Spoofing', true), 1_090);
    tally.addDeadLetter('OUT_OF_ORDER', 1_030);
    assert.equal(tally.arrived, 3);
    assert.equal(tally.duplicates, 1);
    assert.equal(tally.lastArrival, 1_030);

    const summary = tally.summary(3, 2);
    assert.equal(summary.scored, 2);
    assert.deepEqual(summary.deadLettered, { OUT_OF_ORDER: 1 });
    assert.equal(summary.recordsPerSecond, 1.5);
    assert.equal(summary.accuracy, 0.5);
    assert.equal(summary.unknownAttackRate, 0.5);
    assert.equal(summary.latencyMs.p50, 15);
    assert.equal(summary.latencyMs.max, 20);
  });

  it('reads the benign or attack truth from the carried labels at 2 classes', () => {
    const tally = new ScoreTally();
    tally.addScore({ ...event(0, 'Attack', 'Spoofing'), granularity: 'G2' }, 1_001);
    tally.addScore({ ...event(1, 'Attack', 'Benign'), granularity: 'G2' }, 1_001);
    assert.equal(tally.summary(2, 1).accuracy, 0.5);
    assert.ok(Number.isNaN(new ScoreTally().summary(0, 1).accuracy));
  });
});
