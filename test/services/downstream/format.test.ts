import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { ScoredEvent } from '../../../schemas/avro/messages.js';
import {
  formatJson,
  formatPretty,
  formatter,
  keepEvent,
  topProbability,
  trueLabel,
} from '../../../services/downstream/format.js';

function event(fields: Partial<ScoredEvent> = {}): ScoredEvent {
  return {
    capture: 'Benign_test',
    seq: 7,
    granularity: 'G6',
    predicted: 'Benign',
    predictedIndex: 0,
    probabilities: [0.75, 0.05, 0.05, 0.05, 0.05, 0.05],
    aeProbabilities: [0.5, 0.1, 0.1, 0.1, 0.1, 0.1],
    lstmProbabilities: [1, 0, 0, 0, 0, 0],
    reconstructionError: 0.01,
    unknownAttack: false,
    threshold: 0.2,
    modelVersion: 'abc',
    label19: 'Benign',
    label6: 'Benign',
    producedAt: Date.UTC(2024, 4, 1, 12, 0, 0),
    scoredAt: Date.UTC(2024, 4, 1, 12, 0, 1, 250),
    ...fields,
  };
}

const attack = event({ predicted: 'Recon', predictedIndex: 2, unknownAttack: true });

describe('tail filters', () => {
  it('keeps every event without a filter', () => {
    assert.equal(keepEvent(event(), {}), true);
    assert.equal(keepEvent(attack, {}), true);
  });

  it('keeps only non-Benign predictions with attacks', () => {
    assert.equal(keepEvent(event(), { attacks: true }), false);
    assert.equal(keepEvent(attack, { attacks: true }), true);
  });

  it('keeps only flagged events with unknown', () => {
    assert.equal(keepEvent(event(), { unknown: true }), false);
    assert.equal(keepEvent(event({ unknownAttack: true }), { unknown: true }), true);
  });

  it('keeps events that pass both filters when both are on', () => {
    const both = { attacks: true, unknown: true };
    assert.equal(keepEvent(attack, both), true);
    assert.equal(keepEvent(event({ unknownAttack: true }), both), false);
    assert.equal(keepEvent({ ...attack, unknownAttack: false }, both), false);
  });
});

describe('true labels', () => {
  it('reads the label of the event granularity', () => {
    const labels = { label19: 'Recon-Port_Scan', label6: 'Recon' };
    assert.equal(trueLabel(event({ granularity: 'G19', ...labels })), 'Recon-Port_Scan');
    assert.equal(trueLabel(event({ granularity: 'G6', ...labels })), 'Recon');
    assert.equal(trueLabel(event({ granularity: 'G2', ...labels })), 'Attack');
    assert.equal(trueLabel(event({ granularity: 'G2' })), 'Benign');
  });

  it('answers null when the event carries none', () => {
    assert.equal(trueLabel(event({ label19: null, label6: null })), null);
    assert.equal(trueLabel(event({ granularity: 'G2', label19: null, label6: null })), null);
  });
});

describe('pretty format', () => {
  it('prints time, capture/seq, class, probability, flag and true label on one line', () => {
    assert.equal(
      formatPretty(event()),
      '2024-05-01T12:00:01.250Z  Benign_test/7  Benign  p=0.750  -  true=Benign',
    );
    assert.equal(
      formatPretty({ ...attack, probabilities: [0.1, 0.1, 0.6, 0.1, 0.05, 0.05] }),
      '2024-05-01T12:00:01.250Z  Benign_test/7  Recon  p=0.600  UNKNOWN-ATTACK  true=Benign',
    );
  });

  it('leaves the true label out when none is carried', () => {
    const line = formatPretty(event({ label19: null, label6: null }));
    assert.equal(line, '2024-05-01T12:00:01.250Z  Benign_test/7  Benign  p=0.750  -');
  });

  it('takes the largest probability when the predicted index is out of range', () => {
    assert.equal(topProbability(event({ predictedIndex: 9 })), 0.75);
  });
});

describe('JSON format', () => {
  it('prints the event as one line of JSON that parses back to it', () => {
    const line = formatJson(event());
    assert.ok(!line.includes('\n'));
    assert.deepEqual(JSON.parse(line), event());
    assert.equal(formatter('json')(event()), line);
    assert.equal(formatter('pretty')(event()), formatPretty(event()));
  });
});
