import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { findCsvRoot, listCaptureFiles } from '../../../pipelines/dataset/tree.js';
import { tempDir } from '../../helpers/paths.js';

describe('data set tree', () => {
  it('finds the official CSV folder below the root, or takes the CSV folder itself', async () => {
    const { dir, cleanup } = await tempDir('tree');
    try {
      const csv = join(dir, 'WiFI_and_MQTT', 'attacks', 'CSV');
      await mkdir(join(csv, 'train'), { recursive: true });
      await mkdir(join(csv, 'test'), { recursive: true });
      await writeFile(join(csv, 'train', 'Benign_train.pcap.csv'), 'x');
      await writeFile(join(csv, 'test', 'TCP_IP-DoS-SYN_test.pcap.csv'), 'x');
      await writeFile(join(csv, 'test', 'notes.txt'), 'ignored: not a CSV file');

      assert.equal(await findCsvRoot(dir), csv);
      assert.equal(await findCsvRoot(csv), csv);
      const files = await listCaptureFiles(dir);
      assert.deepEqual(
        files.map((f) => [f.split, f.capture, f.label6]),
        [
          ['train', 'Benign_train', 'Benign'],
          ['test', 'TCP_IP-DoS-SYN_test', 'TCP_IP-DoS'],
        ],
      );
    } finally {
      await cleanup();
    }
  });

  it('refuses a folder that is not a data set tree', async () => {
    const { dir, cleanup } = await tempDir('tree');
    try {
      await assert.rejects(findCsvRoot(dir), /is not a CICIoMT2024 tree/);
      await mkdir(join(dir, 'train'));
      await assert.rejects(listCaptureFiles(dir), /no capture files/);
    } finally {
      await cleanup();
    }
  });

  it('refuses unknown capture names and files in the wrong split folder', async () => {
    const { dir, cleanup } = await tempDir('tree');
    try {
      await mkdir(join(dir, 'train'));
      await writeFile(join(dir, 'train', 'Mirai_train.pcap.csv'), 'x');
      await assert.rejects(listCaptureFiles(dir), /"Mirai_train.pcap.csv" is not a CICIoMT2024/);

      const wrong = join(dir, 'wrong');
      await mkdir(join(wrong, 'test'), { recursive: true });
      await writeFile(join(wrong, 'test', 'Benign_train.pcap.csv'), 'x');
      await assert.rejects(listCaptureFiles(wrong), /is a train capture but lies in test\//);
    } finally {
      await cleanup();
    }
  });
});
