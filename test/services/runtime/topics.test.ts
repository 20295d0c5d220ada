import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InvalidOptionError } from '../../../schemas/errors.js';
import { resolveTopicNames, TOPIC_DEFAULTS } from '../../../services/runtime/topics.js';

describe('resolveTopicNames', () => {
  it('gives the default names without options', () => {
    assert.deepEqual({ ...resolveTopicNames() }, { ...TOPIC_DEFAULTS });
    assert.equal(resolveTopicNames().raw, 'iomt.flows.raw');
    assert.equal(resolveTopicNames().deadLetter, 'iomt.dead-letter');
  });

  it('puts the prefix before every name, given or default', () => {
    const names = resolveTopicNames({ prefix: 'lab-1.', scores: 'alerts' });
    assert.equal(names.raw, 'lab-1.iomt.flows.raw');
    assert.equal(names.scores, 'lab-1.alerts');
    assert.equal(names.windows, 'lab-1.iomt.windows');
  });

  it('refuses a name Kafka would refuse, naming the topic', () => {
    assert.throws(
      () => resolveTopicNames({ windows: 'has space' }),
      (error: unknown) => error instanceof InvalidOptionError && /^windows:/.test(error.message),
    );
    assert.throws(() => resolveTopicNames({ prefix: 'x'.repeat(250) }), InvalidOptionError);
  });

  it('refuses two topics of the same name', () => {
    assert.throws(() => resolveTopicNames({ raw: 'same', scaled: 'same' }), InvalidOptionError);
  });
});
