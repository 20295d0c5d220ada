import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { ScoredEvent } from '../../../schemas/avro/messages.js';
import { MonitorState } from '../../../services/downstream/monitor-state.js';
import { monitorTable } from '../../../services/downstream/monitor-table.js';

const G2 = ['Benign', 'Attack'];

/** A G2 event predicting `predicted` with true 19-class label `label19` (null: none). */
function event(predicted: 0 | 1, label19: string | null, unknownAttack = false): ScoredEvent {
  return {
    capture: 'c',
    seq: 0,
    granularity: 'G2',
    predicted: G2[predicted] ?? '?',
    predictedIndex: predicted,
    probabilities: predicted === 0 ? [0.9, 0.1] : [0.2, 0.8],
    aeProbabilities: [0.5, 0.5],
    lstmProbabilities: [0.5, 0.5],
    reconstructionError: 0,
    unknownAttack,
    threshold: 1,
    modelVersion: 'v',
    label19,
    label6: null,
    producedAt: 0,
    scoredAt: 0,
  };
}

/** A clock that answers the times given, then the last one again. */
function clock(...times: number[]) {
  let i = 0;
  return () => times[Math.min(i++, times.length - 1)] ?? 0;
}

describe('MonitorState', () => {
  it('answers zeros and no metrics before any event', () => {
    const snapshot = new MonitorState({ now: clock(0) }).snapshot();
    assert.equal(snapshot.events, 0);
    assert.equal(snapshot.granularity, null);
    assert.equal(snapshot.metrics, null);
    assert.equal(snapshot.attackRate, 0);
    assert.equal(snapshot.recordsPerSecond, 0);
    assert.match(monitorTable(snapshot), /^events 0 \| /);
  });

  it('counts accuracy, recall, confusion and rates by hand', () => {
    // 10 events, started at t = 1000 ms, snapshot at t = 3000 ms:
    //   true Benign: 4 predicted Benign, 1 predicted Attack (flagged)
    //   true Attack (Recon-Port_Scan): 1 predicted Benign, 2 predicted Attack (both flagged)
    //   no label: 1 predicted Benign, 1 predicted Attack
    const state = new MonitorState({ now: clock(1000, 3000) });
    const events = [
      ...Array.from({ length: 4 }, () => event(0, 'Benign')),
      event(1, 'Benign', true),
      event(0, 'Recon-Port_Scan'),
      event(1, 'Recon-Port_Scan', true),
      event(1, 'Recon-Port_Scan', true),
      event(0, null),
      event(1, null),
    ];
    for (const e of events) assert.equal(state.add(e), true);
    const s = state.snapshot();

    assert.equal(s.granularity, 'G2');
    assert.deepEqual(s.classes, G2);
    assert.equal(s.events, 10);
    assert.equal(s.labelled, 8);
    assert.equal(s.unlabelled, 2);
    assert.equal(s.skipped, 0);
    assert.ok(s.metrics);
    assert.equal(s.metrics.accuracy, 6 / 8);
    assert.deepEqual(s.metrics.confusion, [
      [4, 1],
      [1, 2],
    ]);
    assert.equal(s.metrics.perClass[0]?.recall, 4 / 5);
    assert.equal(s.metrics.perClass[1]?.recall, 2 / 3);
    assert.equal(s.metrics.perClass[1]?.support, 3);
    assert.deepEqual(s.predicted, [
      { name: 'Benign', count: 6, rate: 0.6 },
      { name: 'Attack', count: 4, rate: 0.4 },
    ]);
    assert.equal(s.attackRate, 0.4);
    assert.equal(s.unknownAttackRate, 0.3);
    assert.equal(s.elapsedSeconds, 2);
    assert.equal(s.recordsPerSecond, 5);
  });

  it('counts an event without a known label apart, and skips one of another granularity', () => {
    const state = new MonitorState({ now: clock(0) });
    state.add(event(0, 'Benign'));
    assert.equal(state.add({ ...event(0, 'Benign'), granularity: 'G6' }), false);
    assert.equal(state.add({ ...event(0, 'Benign'), predictedIndex: 5 }), false);
    state.add({ ...event(1, null), granularity: 'G2', label19: null });
    const s = state.snapshot();
    assert.equal(s.events, 2);
    assert.equal(s.skipped, 2);
    assert.equal(s.labelled, 1);
    assert.equal(s.unlabelled, 1);
    assert.equal(s.metrics?.accuracy, 1);
  });

  it('reports unlabelled-only streams without metrics', () => {
    const state = new MonitorState({ now: clock(0) });
    state.add(event(1, null, true));
    const s = state.snapshot();
    assert.equal(s.metrics, null);
    assert.equal(s.unknownAttackRate, 1);
    assert.match(monitorTable(s), /accuracy n\/a/);
  });
});

describe('monitorTable', () => {
  it('prints the headline, the classes seen and their confusion matrix', () => {
    const state = new MonitorState({ now: clock(0, 1000) });
    state.add(event(0, 'Benign'));
    state.add(event(1, 'Benign', true));
    state.add(event(1, 'ARP_Spoofing'));
    const text = monitorTable(state.snapshot());
    const lines = text.split('\n');
    assert.equal(
      lines[0],
      'events 3 | labelled 3 | unlabelled 0 | accuracy 0.6667 | attacks 66.67% | ' +
        'unknown-attack 33.33% | 3.0 records/s',
    );
    assert.match(text, /│ 0 +│ Benign +│ 2 +│ 0\.5000 +│ 1 +│ 33\.33% +│/);
    assert.match(text, /│ 1 +│ Attack +│ 1 +│ 1\.0000 +│ 2 +│ 66\.67% +│/);
    assert.match(text, /│ 0 +│ 1 +│ 1 +│/);
    assert.match(text, /│ 1 +│ 0 +│ 1 +│/);
  });
});
