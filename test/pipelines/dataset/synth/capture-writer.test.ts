import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { CaptureSimulator } from '../../../../pipelines/dataset/synth/capture-simulator.js';
import { writeCaptureFile } from '../../../../pipelines/dataset/synth/capture-writer.js';
import type { CaptureFileJob } from '../../../../pipelines/dataset/synth/capture-writer.js';
import { headerLine, rowFormatter } from '../../../../pipelines/dataset/synth/csv-row.js';
import { IomtError } from '../../../../schemas/errors.js';
import { tempDir } from '../../../helpers/paths.js';

function job(path: string, rows: number, onRows?: (n: number) => void): CaptureFileJob {
  const simulator = new CaptureSimulator({
    split: 'train',
    stem: 'Benign',
    label19: 'Benign',
    seed: 1,
  });
  return {
    path,
    header: headerLine('45'),
    rows,
    next: () => simulator.next(),
    format: rowFormatter('45'),
    ...(onRows ? { onRows } : {}),
  };
}

describe('writeCaptureFile', () => {
  let dir = '';
  let cleanup = async (): Promise<void> => {};

  before(async () => ({ dir, cleanup } = await tempDir('synth-writer')));
  after(() => cleanup());

  it('writes the header and one LF-terminated line per row, over many chunks', async () => {
    const path = join(dir, 'many.csv');
    const reported: number[] = [];
    await writeCaptureFile(job(path, 3_000, (n) => reported.push(n)));

    const text = await readFile(path, 'utf8');
    assert.ok(text.endsWith('\n') && !text.includes('\r'));
    const lines = text.slice(0, -1).split('\n');
    assert.equal(lines[0], headerLine('45'));
    assert.equal(lines.length, 3_001);
    assert.ok(reported.length > 1, 'progress came in several chunks');
    assert.equal(
      reported.reduce((a, b) => a + b, 0),
      3_000,
    );
  });

  it('writes only the header for zero rows', async () => {
    const path = join(dir, 'empty.csv');
    await writeCaptureFile(job(path, 0));
    assert.equal(await readFile(path, 'utf8'), headerLine('45') + '\n');
  });

  it('throws an IO error naming the file when it cannot be written', async () => {
    const path = join(dir, 'missing', 'folder', 'x.csv');
    await assert.rejects(writeCaptureFile(job(path, 10)), (error: unknown) => {
      assert.ok(error instanceof IomtError);
      assert.equal(error.code, 'IO');
      assert.equal(error.context.file, path);
      return true;
    });
  });

  it('rethrows an error from a callback as it is', async () => {
    const boom = new Error('boom');
    const failing = job(join(dir, 'failing.csv'), 5_000, () => {
      throw boom;
    });
    await assert.rejects(writeCaptureFile(failing), (error: unknown) => error === boom);
  });
});
