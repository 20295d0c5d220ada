import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import * as synth from '../../../../pipelines/dataset/synth/index.js';

describe('synth index', () => {
  it('exports the generator and the imbalance pattern by name', () => {
    assert.deepEqual(Object.keys(synth).sort(), [
      'LABEL_ROWS',
      'NOTICE_FILE',
      'PROFILES',
      'captureSizes',
      'generateDataset',
      'minimumRows',
      'rowsFloor',
    ]);
    assert.equal(typeof synth.generateDataset, 'function');
  });
});
