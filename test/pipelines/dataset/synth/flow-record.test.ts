import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Random } from '../../../../pipelines/features/random.js';
import { FlowRecord } from '../../../../pipelines/dataset/synth/flow-record.js';
import { WINDOW_PACKETS } from '../../../../pipelines/dataset/synth/packet-window.js';
import { PROFILES } from '../../../../pipelines/dataset/synth/profiles.js';
import { CLASSES_19 } from '../../../../schemas/taxonomy.js';
import type { Label19 } from '../../../../schemas/taxonomy.js';

const TRAITS = { rateOffset: 0, sizeOffset: 0 };

function records(label: Label19, n: number, latent = new Float64Array(3)): FlowRecord[] {
  const rng = new Random(3);
  return Array.from({ length: n }, () => {
    const record = new FlowRecord();
    record.fill(PROFILES[label], TRAITS, latent, rng);
    return record;
  });
}

function meanLogRate(rs: readonly FlowRecord[]): number {
  return rs.reduce((s, r) => s + Math.log(r.rate), 0) / rs.length;
}

describe('FlowRecord', () => {
  it('keeps the size statistics consistent with each other', () => {
    for (const label of CLASSES_19) {
      for (const r of records(label, 100)) {
        const { sizeMin, sizeMax, sizeSum } = r.window;
        assert.ok(sizeMin <= r.avg && r.avg <= sizeMax, label);
        assert.ok(r.std >= 0);
        assert.ok(Math.abs(r.std * r.std - r.variance) <= 1e-9 * Math.max(1, r.variance));
        assert.ok(r.number === 10 || r.number === 100);
        assert.equal(r.totSum, (sizeSum * r.number) / WINDOW_PACKETS);
        assert.ok(Number.isInteger(r.totSum));
        assert.equal(r.avg, sizeSum / WINDOW_PACKETS);
      }
    }
  });

  it('draws positive finite rates and an IAT that is about their inverse', () => {
    for (const r of records('Benign', 500)) {
      assert.ok(r.rate > 0 && Number.isFinite(r.rate));
      assert.ok(Math.abs(Math.log(r.iatInverse * r.rate)) < 0.3);
    }
  });

  it('centres the leakage IAT on the label value with small noise', () => {
    const rs = records('Recon-Port_Scan', 500);
    const centre = PROFILES['Recon-Port_Scan'].iatLeak;
    assert.ok(rs.every((r) => Math.abs(r.iatLeak - centre) < 10_000));
    assert.ok(new Set(rs.map((r) => r.iatLeak)).size > 400);
  });

  it('averages TTL and header bytes over the window', () => {
    for (const r of records('ARP_Spoofing', 200)) {
      assert.equal(r.ttl, r.window.ttlSum / WINDOW_PACKETS);
      assert.equal(r.headerMean, r.window.headerSum / WINDOW_PACKETS);
      assert.equal(r.protocolMean, r.window.protocolSum / WINDOW_PACKETS);
      assert.ok(r.headerFlow >= 0 && Number.isFinite(r.headerFlow));
    }
  });

  it('writes a weight that is the product of incoming and outgoing counts', () => {
    for (const r of records('TCP_IP-DDoS-UDP', 200)) {
      const splits = Array.from({ length: r.number - 1 }, (_, i) => i + 1);
      assert.ok(
        splits.some((n) => n * (r.number - n) === r.weight),
        String(r.weight),
      );
      assert.ok(r.magnitude > 0 && r.radius >= 0 && r.covariance >= 0);
    }
  });

  it('moves the rate with the latent rate component', () => {
    const low = meanLogRate(records('TCP_IP-DoS-TCP', 1_000, Float64Array.of(-1, 0, 0)));
    const high = meanLogRate(records('TCP_IP-DoS-TCP', 1_000, Float64Array.of(1, 0, 0)));
    assert.ok(high - low > 1.2, `${low} -> ${high}`);
  });

  it('gives floods higher rates than benign traffic', () => {
    assert.ok(
      meanLogRate(records('TCP_IP-DDoS-ICMP', 1_000)) > meanLogRate(records('Benign', 1_000)) + 3,
    );
  });
});
