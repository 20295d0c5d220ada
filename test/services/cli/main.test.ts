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
    for (const command of [
      'synth',
      'ingest',
      'prepare',
      'train',
      'evaluate',
      'run',
      'serve',
      'replay',
    ]) {
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

    const stage = await iomt('serve', 'train', '--bundle', '/tmp/never');
    assert.equal(stage.code, 2);
    assert.match(stage.stderr, /<stage>: expected one of preprocess, window, score, got "train"/);

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

  it('runs the main job: generated data through training to the report', async () => {
    const { dir, cleanup } = await tempDir('cli');
    try {
      const args = ['--work', dir, '--rows', '2000', '--seed', '5', '--epochs', '1'];
      const result = await iomt('run', ...args, '--cv-folds', '3');
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /GENERATED data \(not CICIoMT2024\)/);
      for (const model of ['Hybrid autoencoder', 'LSTM', 'Weighted ensemble']) {
        assert.match(result.stdout, new RegExp(model));
      }
      assert.match(result.stdout, /3-fold cross-validation/);
      assert.match(result.stdout, /Friedman chi-square/);
      assert.match(result.stdout, /streamed the test split .* records scored/);
      assert.match(result.stdout, /dead-lettered: none/);
      const report = await readFile(join(dir, 'bundle', 'evaluation', 'report.html'), 'utf8');
      assert.match(report, /<svg/);

      const manifest = JSON.parse(await readFile(join(dir, 'bundle', 'manifest.json'), 'utf8')) as {
        features: string[];
        scaler: { constant: string[] };
      };
      assert.equal(manifest.features.length, 44, 'IAT is left out');
      assert.ok(manifest.scaler.constant.includes('Drate'));

      const bundle = join(dir, 'small-bundle');
      const arrow = join(dir, 'arrow');
      const train = await iomt(
        'train',
        '--data',
        arrow,
        '--out',
        bundle,
        '--quick',
        '--epochs',
        '1',
        '--window',
        '3',
        '--balance-target',
        '40',
      );
      assert.equal(train.code, 0, train.stderr);
      assert.match(train.stdout, /model \(validation\)/);
      const evaluate = await iomt(
        'evaluate',
        '--bundle',
        bundle,
        '--data',
        arrow,
        '--engine',
        'tfjs',
      );
      assert.equal(evaluate.code, 0, evaluate.stderr);
      assert.match(evaluate.stdout, /model \(test\)/);
    } finally {
      await cleanup();
    }
  });

  it('refuses to evaluate a folder that is not a model bundle', async () => {
    const { dir, cleanup } = await tempDir('cli');
    try {
      const result = await iomt('evaluate', '--bundle', dir, '--data', dir);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^iomt: error: /);
    } finally {
      await cleanup();
    }
  });
});
