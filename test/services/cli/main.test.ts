import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

import { fixturesDir, REPO_ROOT, tempDir } from '../../helpers/paths.js';

const CLI = join(REPO_ROOT, 'dist', 'services', 'cli', 'main.js');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function iomt(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', [CLI, ...args], {
      timeout: 120_000,
      env: { ...process.env, IOMT_LOG_LEVEL: 'warn' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('iomt CLI', () => {
  it('prints help for the program and for each command', async () => {
    const help = await iomt('--help');
    assert.equal(help.code, 0);
    for (const command of ['synth', 'ingest', 'prepare', 'run']) {
      assert.match(help.stdout, new RegExp(`\\b${command}\\b`));
      const own = await iomt(command, '--help');
      assert.equal(own.code, 0, command);
      assert.match(own.stdout, new RegExp(`Usage: iomt ${command}`));
    }
  });

  it('fails a bad flag with exit code 2 and one clear error line', async () => {
    const result = await iomt('synth', '--out', '/tmp/never', '--rows', 'many');
    assert.equal(result.code, 2);
    assert.equal(result.stderr.trim(), 'iomt: error: --rows: expected an integer >= 1, got "many"');

    const layout = await iomt('synth', '--out', '/tmp/never', '--layout', '44');
    assert.equal(layout.code, 2);
    assert.match(layout.stderr, /--layout: expected one of 45, 39, got "44"/);

    const missing = await iomt('ingest', '--out', '/tmp/never');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing required argument 'dataset-dir'/);
  });

  it('fails the partial fixture with exit code 1 naming the missing columns', async () => {
    const { dir, cleanup } = await tempDir('cli');
    try {
      await mkdir(join(dir, 'train'));
      await copyFile(
        join(fixturesDir(), 'partial45_ARP_Spoofing_train_head.csv'),
        join(dir, 'train', 'ARP_Spoofing_train.pcap.csv'),
      );
      const result = await iomt('ingest', dir, '--out', join(dir, 'out'));
      assert.equal(result.code, 1);
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1);
      assert.match(lines[0] ?? '', /^iomt: error: .*missing columns: ack_flag_number/);
    } finally {
      await cleanup();
    }
  });

  it('runs the main job on generated data and prints the summary', async () => {
    const { dir, cleanup } = await tempDir('cli');
    try {
      const result = await iomt('run', '--work', dir, '--rows', '4000', '--seed', '5');
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /GENERATED data \(not CICIoMT2024\)/);
      assert.match(result.stdout, /balanced train/);
      for (const name of ['Benign', 'Spoofing', 'Recon', 'MQTT', 'TCP_IP-DDoS', 'TCP_IP-DoS']) {
        assert.match(result.stdout, new RegExp(name));
      }
      const scaler = JSON.parse(await readFile(join(dir, 'arrow', 'scaler.json'), 'utf8')) as {
        features: string[];
        constant: string[];
      };
      assert.equal(scaler.features.length, 45);
      assert.ok(scaler.constant.includes('Drate'));
    } finally {
      await cleanup();
    }
  });
});
