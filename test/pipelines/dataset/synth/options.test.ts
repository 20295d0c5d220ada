import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { minimumRows } from '../../../../pipelines/dataset/synth/capture-sizes.js';
import { resolveSynthOptions } from '../../../../pipelines/dataset/synth/options.js';
import type { SynthOptions } from '../../../../pipelines/dataset/synth/options.js';
import { InvalidOptionError } from '../../../../schemas/errors.js';

function assertOption(options: unknown, option: string): void {
  assert.throws(
    () => resolveSynthOptions(options as SynthOptions),
    (error: unknown) => {
      assert.ok(error instanceof InvalidOptionError);
      assert.equal(error.code, 'INVALID_OPTION');
      assert.equal(error.context.option, option);
      assert.match(error.message, new RegExp(`^${option}: `));
      return true;
    },
  );
}

describe('resolveSynthOptions', () => {
  it('applies the defaults: layout 45, 20,000 rows, seed 1', () => {
    const resolved = resolveSynthOptions({ out: '/tmp/x' });
    assert.deepEqual(resolved, {
      out: '/tmp/x',
      layout: '45',
      rows: 20_000,
      seed: 1,
      onProgress: undefined,
    });
  });

  it('keeps the values given', () => {
    const onProgress = (): void => {};
    const resolved = resolveSynthOptions({
      out: 'data',
      layout: '39',
      rows: 5_000,
      seed: -7,
      onProgress,
    });
    assert.equal(resolved.layout, '39');
    assert.equal(resolved.rows, 5_000);
    assert.equal(resolved.seed, -7);
    assert.equal(resolved.onProgress, onProgress);
  });

  it('accepts exactly the minimum number of rows', () => {
    assert.equal(resolveSynthOptions({ out: 'o', rows: minimumRows() }).rows, minimumRows());
  });

  it('rejects a missing or empty out', () => {
    assertOption({}, 'out');
    assertOption({ out: '  ' }, 'out');
    assertOption(undefined, 'options');
  });

  it('rejects an unknown layout', () => {
    assertOption({ out: 'o', layout: '44' }, 'layout');
  });

  it('rejects rows that are not a positive integer large enough for every file', () => {
    for (const rows of [0, -5, 1.5, Number.NaN, Infinity, minimumRows() - 1, '1000']) {
      assertOption({ out: 'o', rows }, 'rows');
    }
  });

  it('rejects a seed that is not an integer', () => {
    for (const seed of [0.5, Number.NaN, Infinity, '3', 2 ** 60]) {
      assertOption({ out: 'o', seed }, 'seed');
    }
  });

  it('rejects an onProgress that is not a function', () => {
    assertOption({ out: 'o', onProgress: 42 }, 'onProgress');
  });
});
