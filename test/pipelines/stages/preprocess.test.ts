import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Scaler } from '../../../pipelines/features/scaler.js';
import { preprocessRecord } from '../../../pipelines/stages/preprocess.js';
import type { RawFlowRecord } from '../../../schemas/avro/messages.js';
import { LAYOUT_39 } from '../../../schemas/layouts.js';

const COLUMNS = LAYOUT_39.columns;
const KEPT = COLUMNS.filter((c) => c !== 'IAT');
const SCALER = new Scaler({
  layout: '39',
  features: KEPT,
  count: 10,
  means: KEPT.map(() => 1),
  stds: KEPT.map((_, i) => (i === 0 ? 0 : 2)),
  dataChecksum: 'c'.repeat(64),
});

function raw(overrides: Partial<RawFlowRecord> = {}): RawFlowRecord {
  return {
    capture: 'Benign_test',
    seq: 4,
    layout: 'L39',
    excludedFeatures: [],
    values: COLUMNS.map((_, i) => i + 1),
    label19: 'ARP_Spoofing',
    producedAt: 1000,
    ...overrides,
  };
}

describe('preprocessRecord', () => {
  it('scales the features the bundle uses and consolidates the label', () => {
    const outcome = preprocessRecord(raw(), { scaler: SCALER, now: () => 2000 });
    assert.ok(outcome.ok);
    const scaled = outcome.value;
    assert.equal(scaled.values.length, 38);
    assert.deepEqual(scaled.excludedFeatures, ['IAT']);
    assert.equal(scaled.values[0], 0, 'constant feature: centred, not divided');
    assert.equal(scaled.values[1], (2 - 1) / 2);
    assert.equal(scaled.label6, 'Spoofing');
    assert.equal(scaled.scalerChecksum, 'c'.repeat(64));
    assert.equal(scaled.producedAt, 1000);
    assert.equal(scaled.scaledAt, 2000);
  });

  it('accepts records that already lack features the bundle does not use', () => {
    const values = KEPT.map((_, i) => i);
    const outcome = preprocessRecord(raw({ excludedFeatures: ['IAT'], values }), {
      scaler: SCALER,
    });
    assert.ok(outcome.ok);
  });

  it('rejects, with a reason, what it cannot process', () => {
    const cases: [Partial<RawFlowRecord>, string, RegExp][] = [
      [{ layout: 'L45' }, 'BUNDLE_MISMATCH', /45-column layout/],
      [{ values: [1, 2, 3] }, 'FIELD_COUNT', /3 values for the 39 features/],
      [{ excludedFeatures: ['Rate'], values: KEPT.map(() => 1) }, 'BUNDLE_MISMATCH', /Rate/],
      [{ values: COLUMNS.map((_, i) => (i === 5 ? NaN : 1)) }, 'NOT_FINITE', /not finite/],
      [{ label19: 'Mirai' }, 'LABEL_UNKNOWN', /Mirai/],
      [{ capture: '' }, 'MALFORMED_ROW', /capture/],
    ];
    for (const [change, code, reason] of cases) {
      const outcome = preprocessRecord(raw(change), { scaler: SCALER });
      assert.ok(!outcome.ok, code);
      assert.equal(outcome.code, code);
      assert.match(outcome.reason, reason);
    }
  });

  it('passes an unknown true label on as null', () => {
    const outcome = preprocessRecord(raw({ label19: null }), { scaler: SCALER });
    assert.ok(outcome.ok);
    assert.equal(outcome.value.label6, null);
  });
});
