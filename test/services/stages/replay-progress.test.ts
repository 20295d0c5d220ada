import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { progressPlan } from '../../../services/stages/replay-progress.js';
import type { ReplaySource } from '../../../services/stages/replay-source.js';

const source = (size: Partial<Pick<ReplaySource, 'rows' | 'bytes'>>): ReplaySource => ({
  kind: size.rows === undefined ? 'csv' : 'arrow',
  path: 'x',
  layout: '45',
  ...size,
  records: async function* () {},
  close: () => Promise.resolve(),
});

describe('progressPlan', () => {
  it('counts records when they are known, bytes of CSV otherwise, nothing when endless', () => {
    assert.deepEqual(progressPlan(source({ rows: 100 }), 3, Infinity), {
      unit: 'rows',
      total: 300,
    });
    assert.deepEqual(progressPlan(source({ rows: 100 }), 3, 50), { unit: 'rows', total: 50 });
    assert.deepEqual(progressPlan(source({ bytes: 1000 }), 2, Infinity), {
      unit: 'bytes',
      total: 2000,
    });
    assert.deepEqual(progressPlan(source({ bytes: 1000 }), Infinity, 70), {
      unit: 'rows',
      total: 70,
    });
    assert.equal(progressPlan(source({ rows: 100 }), Infinity, Infinity), undefined);
    assert.equal(progressPlan(source({ bytes: 1000 }), Infinity, Infinity), undefined);
  });
});
