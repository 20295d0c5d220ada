import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Random } from '../../../../pipelines/features/random.js';
import {
  CaptureSimulator,
  recordingKey,
} from '../../../../pipelines/dataset/synth/capture-simulator.js';
import type { CaptureSpec } from '../../../../pipelines/dataset/synth/capture-simulator.js';

function logRates(spec: CaptureSpec, rows: number): number[] {
  const simulator = new CaptureSimulator(spec);
  return Array.from({ length: rows }, () => Math.log(simulator.next().rate));
}

function lag1(xs: readonly number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  let num = 0;
  let den = 0;
  for (let t = 0; t < xs.length; t++) {
    const d = (xs[t] ?? 0) - m;
    den += d * d;
    if (t > 0) num += d * ((xs[t - 1] ?? 0) - m);
  }
  return num / den;
}

const DOS: CaptureSpec = {
  split: 'train',
  stem: 'TCP_IP-DoS-UDP2',
  label19: 'TCP_IP-DoS-UDP',
  seed: 1,
};
const DDOS: CaptureSpec = {
  split: 'train',
  stem: 'TCP_IP-DDoS-UDP2',
  label19: 'TCP_IP-DDoS-UDP',
  seed: 1,
};

describe('CaptureSimulator', () => {
  it('correlates consecutive rows far more than shuffled rows', () => {
    const xs = logRates(DOS, 3_000);
    const shuffled = new Random(4).shuffle([...xs]);
    assert.ok(lag1(xs) > 0.5, `lag-1 ${lag1(xs)}`);
    assert.ok(Math.abs(lag1(shuffled)) < 0.1, `shuffled lag-1 ${lag1(shuffled)}`);
  });

  it('separates DoS from DDoS of one protocol by their dynamics', () => {
    const dos = lag1(logRates(DOS, 3_000));
    const ddos = lag1(logRates(DDOS, 3_000));
    assert.ok(dos > ddos + 0.25, `DoS ${dos}, DDoS ${ddos}`);
  });

  it('is reproducible from the seed and the capture name', () => {
    assert.deepEqual(logRates(DOS, 100), logRates(DOS, 100));
    assert.notDeepEqual(logRates(DOS, 100), logRates({ ...DOS, seed: 2 }, 100));
    assert.notDeepEqual(logRates(DOS, 100), logRates({ ...DOS, stem: 'TCP_IP-DoS-UDP3' }, 100));
  });
});

describe('recordingKey', () => {
  it('shares one recording between the train and test halves of single captures', () => {
    const train = recordingKey({ split: 'train', stem: 'Benign', label19: 'Benign' });
    const test = recordingKey({ split: 'test', stem: 'Benign', label19: 'Benign' });
    assert.equal(train, test);
  });

  it('gives every TCP_IP capture a recording of its own', () => {
    const label19 = 'TCP_IP-DDoS-ICMP';
    const train = recordingKey({ split: 'train', stem: 'TCP_IP-DDoS-ICMP1', label19 });
    const test = recordingKey({ split: 'test', stem: 'TCP_IP-DDoS-ICMP1', label19 });
    const other = recordingKey({ split: 'train', stem: 'TCP_IP-DDoS-ICMP2', label19 });
    assert.equal(new Set([train, test, other]).size, 3);
  });
});
