import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  IAT_LEAK_CENTRES,
  IAT_LEAK_STEP,
  PROFILES,
} from '../../../../pipelines/dataset/synth/profiles.js';
import { CLASSES_19 } from '../../../../schemas/taxonomy.js';
import type { Label19 } from '../../../../schemas/taxonomy.js';

const PAIRS: [Label19, Label19][] = [
  ['TCP_IP-DoS-ICMP', 'TCP_IP-DDoS-ICMP'],
  ['TCP_IP-DoS-SYN', 'TCP_IP-DDoS-SYN'],
  ['TCP_IP-DoS-TCP', 'TCP_IP-DDoS-TCP'],
  ['TCP_IP-DoS-UDP', 'TCP_IP-DDoS-UDP'],
  ['MQTT-DoS-Connect_Flood', 'MQTT-DDoS-Connect_Flood'],
  ['MQTT-DoS-Publish_Flood', 'MQTT-DDoS-Publish_Flood'],
];

function isProbability(p: number): boolean {
  return p >= 0 && p <= 1;
}

describe('PROFILES', () => {
  it('has a profile for each of the 19 labels', () => {
    assert.deepEqual(Object.keys(PROFILES).sort(), [...CLASSES_19].sort());
  });

  it('holds protocol mixes that add up to 1 and probabilities in [0, 1]', () => {
    for (const label of CLASSES_19) {
      const p = PROFILES[label];
      const { tcp, udp, icmp, arp, igmp } = p.protocols;
      const mix = [tcp, udp, icmp, arp, igmp];
      assert.ok(Math.abs(tcp + udp + icmp + arp + igmp - 1) < 1e-9, label);
      const { fin, syn, rst, psh, ack, ece, cwr } = p.flags;
      const probabilities = [
        ...mix,
        ...[fin, syn, rst, psh, ack, ece, cwr],
        p.payload.prob,
        p.ttl.p128,
        p.ttl.p255,
        p.ttl.hops,
        p.number100,
      ];
      assert.ok(probabilities.every(isProbability), label);
      const { http, https, telnet, smtp, ssh, irc, dns, dhcp } = p.apps;
      assert.ok(http + https + telnet + smtp + ssh + irc <= 1, label);
      assert.ok(dns + dhcp <= 1, label);
    }
  });

  it('holds stationary dynamics', () => {
    for (const label of CLASSES_19) {
      const { phi, periodic, period } = PROFILES[label].dynamics;
      assert.ok(phi >= 0 && phi < 1, label);
      assert.ok(periodic >= 0 && periodic < 1, label);
      assert.ok(period >= 2, label);
    }
  });

  it('gives DoS and DDoS of one protocol the same mix but different dynamics', () => {
    for (const [dos, ddos] of PAIRS) {
      assert.deepEqual(PROFILES[dos].protocols, PROFILES[ddos].protocols);
      assert.ok(Math.abs(PROFILES[dos].rate.logMean - PROFILES[ddos].rate.logMean) < 0.5);
      assert.ok(PROFILES[dos].dynamics.phi > PROFILES[ddos].dynamics.phi + 0.4, dos);
      assert.ok(PROFILES[ddos].dynamics.periodic > PROFILES[dos].dynamics.periodic, ddos);
    }
  });

  it('puts the IAT leakage values near 8.47e7 or 1.694e8, distinct per label', () => {
    const values = CLASSES_19.map((label) => PROFILES[label].iatLeak);
    for (const v of values) {
      const nearest = Math.min(...IAT_LEAK_CENTRES.map((c) => Math.abs(v - c)));
      assert.ok(nearest < 0.001 * v, String(v));
    }
    const sorted = [...values].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) {
      assert.ok((sorted[i] ?? 0) - (sorted[i - 1] ?? 0) >= IAT_LEAK_STEP);
    }
  });
});
