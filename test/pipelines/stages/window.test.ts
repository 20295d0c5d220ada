import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { WindowStage } from '../../../pipelines/stages/window.js';
import type { ScaledFlowRecord } from '../../../schemas/avro/messages.js';

function scaled(capture: string, seq: number, value: number): ScaledFlowRecord {
  return {
    capture,
    seq,
    layout: 'L39',
    excludedFeatures: [],
    values: [value, -value],
    scalerChecksum: 'x',
    label19: 'Benign',
    label6: 'Benign',
    producedAt: 1,
    scaledAt: 2,
  };
}

const stage = () =>
  new WindowStage({ windowLength: 3, features: 2, scalerChecksum: 'x', now: () => 3 });

/** The first feature of each present step of a window, 0 for an absent one. */
function firsts(steps: number[]): number[] {
  return [0, 1, 2].map((t) => (steps[t * 3 + 2] === 1 ? (steps[t * 3] ?? NaN) : 0));
}

describe('WindowStage', () => {
  it('gives every record one window of its own capture, left-padded at the start', () => {
    const windows = stage();
    const a1 = windows.push(scaled('a', 0, 1));
    const b1 = windows.push(scaled('b', 0, 9));
    const a2 = windows.push(scaled('a', 1, 2));
    assert.ok(a1.ok && b1.ok && a2.ok);
    assert.deepEqual(firsts(a1.value.steps), [0, 0, 1]);
    assert.deepEqual(firsts(b1.value.steps), [0, 0, 9]);
    assert.deepEqual(firsts(a2.value.steps), [0, 1, 2]);
    assert.deepEqual(a2.value.record, [2, -2]);
    assert.equal(a2.value.stepWidth, 3);
    assert.equal(windows.size, 2);
  });

  it('refuses a record that does not follow its capture, so none is windowed twice', () => {
    const windows = stage();
    assert.ok(windows.push(scaled('a', 5, 1)).ok);
    const again = windows.push(scaled('a', 5, 1));
    assert.ok(!again.ok);
    assert.equal(again.code, 'OUT_OF_ORDER');
  });

  it('refuses records of another scaler or width', () => {
    const windows = stage();
    const other = windows.push({ ...scaled('a', 0, 1), scalerChecksum: 'y' });
    assert.ok(!other.ok && other.code === 'SCALER_MISMATCH');
    const wide = windows.push({ ...scaled('a', 0, 1), values: [1, 2, 3] });
    assert.ok(!wide.ok && wide.code === 'FIELD_COUNT');
  });

  it('continues from restored records as if it had never stopped', () => {
    const straight = stage();
    for (const seq of [0, 1, 2, 3]) straight.push(scaled('a', seq, seq + 1));
    const expected = straight.push(scaled('a', 4, 5));

    const restarted = stage();
    restarted.restore(
      'a',
      [0, 1, 2, 3].map((seq) => scaled('a', seq, seq + 1)),
    );
    const resumed = restarted.push(scaled('a', 4, 5));
    assert.ok(expected.ok && resumed.ok);
    assert.deepEqual(resumed.value.steps, expected.value.steps);
    assert.ok(!restarted.push(scaled('a', 3, 4)).ok);
  });
});
