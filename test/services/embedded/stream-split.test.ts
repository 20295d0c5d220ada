import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { evaluateBundle } from '../../../pipelines/evaluation/evaluate-bundle.js';
import { loadAvroRegistry } from '../../../schemas/avro/registry.js';
import type { ScoredEvent } from '../../../schemas/avro/messages.js';
import { streamSplit } from '../../../services/embedded/stream-split.js';
import { tinyBundle } from '../../helpers/tiny-bundle.js';

describe('streaming the test split through the stage functions', () => {
  let dir = '';
  let cleanup = async () => {};

  before(async () => {
    ({ dir, cleanup } = await tinyBundle({ prefix: 'stream' }));
  });
  after(() => cleanup());

  it('scores every record once, as the offline evaluation does', async () => {
    const bundle = join(dir, 'bundle');
    const data = join(dir, 'arrow');
    const offline = await evaluateBundle({ bundle, data, out: join(dir, 'evaluation') });
    const events: ScoredEvent[] = [];
    const summary = await streamSplit({
      bundle,
      data,
      avro: await loadAvroRegistry(),
      onEvent: (e) => events.push(e),
    });

    assert.equal(summary.records, offline.scored.rows);
    assert.equal(summary.scored, offline.scored.rows);
    assert.deepEqual(summary.deadLettered, {});
    const keys = new Set(events.map((e) => `${e.capture}/${e.seq}`));
    assert.equal(keys.size, events.length, 'no record scored twice');

    const c = offline.document.classes.length;
    let max = 0;
    events.forEach((event, i) => {
      assert.equal(event.predictedIndex, offline.scored.predicted[i], `record ${i}`);
      assert.equal(event.seq, offline.scored.seq[i]);
      event.probabilities.forEach((p, k) => {
        max = Math.max(max, Math.abs(p - (offline.scored.probabilities[i * c + k] ?? NaN)));
      });
    });
    assert.ok(max <= 1e-5, `max probability difference ${max}`);
    assert.ok(summary.accuracy > 0 && summary.accuracy <= 1);
    assert.ok(summary.latencyMs.p50 <= summary.latencyMs.p99);
  });
});
