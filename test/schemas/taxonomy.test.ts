import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InvalidInputError } from '../../schemas/errors.js';
import { releaseFileNames, RELEASE_STEMS } from '../../schemas/release.js';
import {
  CLASSES_19,
  CLASSES_2,
  CLASSES_6,
  captureFromFileName,
  classesOf,
  labelAt,
} from '../../schemas/taxonomy.js';

describe('label taxonomy', () => {
  it('lists the real release: 51 training and 21 test files', () => {
    assert.equal(releaseFileNames('train').length, 51);
    assert.equal(releaseFileNames('test').length, 21);
    assert.equal(new Set(releaseFileNames('train')).size, 51);
    assert.ok(releaseFileNames('test').includes('TCP_IP-DDoS-ICMP1_test.pcap.csv'));
    assert.ok(releaseFileNames('test').includes('TCP_IP-DoS-SYN_test.pcap.csv'));
    assert.ok(releaseFileNames('train').includes('TCP_IP-DDoS-UDP8_train.pcap.csv'));
  });

  it('reads a known label from every file name of the real release', () => {
    const seen19 = new Set<string>();
    for (const split of ['train', 'test'] as const) {
      for (const name of releaseFileNames(split)) {
        const info = captureFromFileName(name);
        assert.equal(info.split, split);
        assert.equal(info.capture, name.replace('.pcap.csv', ''));
        assert.ok(CLASSES_19.includes(info.label19), name);
        seen19.add(info.label19);
      }
    }
    assert.equal(seen19.size, 19);
  });

  it('strips the split suffix and trailing digits for the 19-class label', () => {
    assert.equal(captureFromFileName('TCP_IP-DDoS-UDP3_train.pcap.csv').label19, 'TCP_IP-DDoS-UDP');
    assert.equal(captureFromFileName('TCP_IP-DoS-SYN_test.pcap.csv').label19, 'TCP_IP-DoS-SYN');
    assert.equal(captureFromFileName('/data/x/Benign_train.pcap.csv').label19, 'Benign');
  });

  it('consolidates to the paper 6 categories and to benign/attack', () => {
    const cases: [string, string, string][] = [
      ['Benign_train.pcap.csv', 'Benign', 'Benign'],
      ['ARP_Spoofing_test.pcap.csv', 'Spoofing', 'Attack'],
      ['Recon-OS_Scan_train.pcap.csv', 'Recon', 'Attack'],
      ['Recon-Ping_Sweep_test.pcap.csv', 'Recon', 'Attack'],
      ['MQTT-DDoS-Publish_Flood_train.pcap.csv', 'MQTT', 'Attack'],
      ['MQTT-Malformed_Data_test.pcap.csv', 'MQTT', 'Attack'],
      ['TCP_IP-DDoS-ICMP7_train.pcap.csv', 'TCP_IP-DDoS', 'Attack'],
      ['TCP_IP-DoS-UDP_test.pcap.csv', 'TCP_IP-DoS', 'Attack'],
    ];
    for (const [name, label6, label2] of cases) {
      const info = captureFromFileName(name);
      assert.equal(info.label6, label6, name);
      assert.equal(info.label2, label2, name);
      assert.equal(labelAt(info, 6), label6);
      assert.equal(labelAt(info, 2), label2);
    }
  });

  it('maps every stem of the release to the 6 categories with counts that add up', () => {
    const per6 = new Map<string, number>();
    for (const stem of RELEASE_STEMS.train) {
      const { label6 } = captureFromFileName(`${stem}_train.pcap.csv`);
      per6.set(label6, (per6.get(label6) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(per6), {
      Spoofing: 1,
      Benign: 1,
      MQTT: 5,
      Recon: 4,
      'TCP_IP-DDoS': 24,
      'TCP_IP-DoS': 16,
    });
  });

  it('refuses unknown file names instead of calling them "other"', () => {
    for (const name of [
      'Benign.csv',
      'Benign_validation.pcap.csv',
      'Mirai_train.pcap.csv',
      'TCP_IP-DDoS_train.pcap.csv',
      'benign_train.pcap.csv',
    ]) {
      assert.throws(
        () => captureFromFileName(name),
        (e: unknown) => e instanceof InvalidInputError && e.code === 'LABEL_UNKNOWN',
        name,
      );
    }
  });

  it('gives the class lists per granularity', () => {
    assert.equal(classesOf(19), CLASSES_19);
    assert.equal(classesOf(6), CLASSES_6);
    assert.equal(classesOf(2), CLASSES_2);
    assert.equal(CLASSES_19.length, 19);
  });
});
