import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Random } from '../../../../pipelines/features/random.js';
import {
  MAX_FRAME,
  PacketWindow,
  WINDOW_PACKETS,
} from '../../../../pipelines/dataset/synth/packet-window.js';
import { PROFILES } from '../../../../pipelines/dataset/synth/profiles.js';
import { CLASSES_19 } from '../../../../schemas/taxonomy.js';
import type { Label19 } from '../../../../schemas/taxonomy.js';

const STILL = { mix: 0, sizeShift: 0 };

// Mean over `n` windows of some count of the window.
function meanOf(
  label: Label19,
  pick: (w: PacketWindow) => number,
  drive = STILL,
  n = 2_000,
): number {
  const window = new PacketWindow();
  const rng = new Random(5);
  let total = 0;
  for (let i = 0; i < n; i++) {
    window.fill(PROFILES[label], drive, rng);
    total += pick(window);
  }
  return total / n;
}

describe('PacketWindow', () => {
  it('keeps counts and sums consistent with each other for every label', () => {
    const window = new PacketWindow();
    const rng = new Random(1);
    for (const label of CLASSES_19) {
      for (let i = 0; i < 200; i++) {
        window.fill(PROFILES[label], { mix: rng.normal(), sizeShift: rng.normal() }, rng);
        const { tcp, udp, icmp, arp, igmp } = window.protocols;
        assert.equal(tcp + udp + icmp + arp + igmp, WINDOW_PACKETS);
        assert.ok(Object.values(window.flags).every((f) => f >= 0 && f <= tcp));
        const { http, https, telnet, smtp, ssh, irc, dns, dhcp } = window.apps;
        assert.ok(http + https + telnet + smtp + ssh + irc <= tcp);
        assert.ok(dns + dhcp <= udp);
        assert.equal(window.headerSum, 32 * tcp + 8 * (udp + icmp + igmp));
        assert.equal(window.protocolSum, 6 * tcp + 17 * udp + icmp + 2 * igmp);
        assert.ok(window.ttlSum <= 255 * (WINDOW_PACKETS - arp));
        assert.ok(window.sizeMin >= 42 && window.sizeMax <= MAX_FRAME);
        assert.ok(window.sizeMin * WINDOW_PACKETS <= window.sizeSum);
        assert.ok(window.sizeSum <= window.sizeMax * WINDOW_PACKETS);
        assert.ok(window.sizeVariance() >= 0);
      }
    }
  });

  it('gives zero variance when every frame has the same size', () => {
    const window = new PacketWindow();
    const profile = { ...PROFILES['TCP_IP-DDoS-SYN'], payload: { prob: 0, logMean: 0, logSd: 0 } };
    const onlyTcp = { ...profile, protocols: { tcp: 1, udp: 0, icmp: 0, arp: 0, igmp: 0 } };
    window.fill(onlyTcp, STILL, new Random(2));
    assert.equal(window.sizeMin, 66);
    assert.equal(window.sizeMax, 66);
    assert.equal(window.sizeVariance(), 0);
  });

  it('draws flags and protocols at the class rates', () => {
    const syn = meanOf('TCP_IP-DDoS-SYN', (w) => w.flags.syn) / WINDOW_PACKETS;
    assert.ok(syn > 0.85, `SYN flood syn share ${syn}`);
    const benignSyn = meanOf('Benign', (w) => w.flags.syn) / WINDOW_PACKETS;
    assert.ok(benignSyn < 0.05, `benign syn share ${benignSyn}`);
    const udp = meanOf('TCP_IP-DoS-UDP', (w) => w.protocols.udp) / WINDOW_PACKETS;
    assert.ok(Math.abs(udp - 0.97) < 0.02, `UDP flood udp share ${udp}`);
  });

  it('tilts the window towards the main protocol as the mix component rises', () => {
    const tcp = (w: PacketWindow): number => w.protocols.tcp;
    const low = meanOf('Benign', tcp, { mix: -2, sizeShift: 0 });
    const high = meanOf('Benign', tcp, { mix: 2, sizeShift: 0 });
    assert.ok(high > low + 2, `${low} -> ${high}`);
  });

  it('grows payloads as the size shift rises', () => {
    const size = (w: PacketWindow): number => w.sizeSum;
    const small = meanOf('TCP_IP-DoS-UDP', size, { mix: 0, sizeShift: -0.5 });
    const large = meanOf('TCP_IP-DoS-UDP', size, { mix: 0, sizeShift: 0.5 });
    assert.ok(large > small * 1.5, `${small} -> ${large}`);
  });
});
