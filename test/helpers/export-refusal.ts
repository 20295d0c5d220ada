import assert from 'node:assert/strict';

import { InvalidOptionError } from '../../schemas/errors.js';

/**
 * Asserts that `fn` refuses to export a model: it throws an InvalidOptionError for option
 * `model` whose message matches `pattern`.
 */
export function assertExportRefused(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InvalidOptionError);
    assert.equal(error.context.option, 'model');
    assert.match(error.message, pattern);
    return true;
  });
}
