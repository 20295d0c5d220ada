import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { pino } from 'pino';

import { waitForBroker } from '../../../services/runtime/broker-wait.js';
import { resolveKafkaConfig } from '../../../services/runtime/kafka-config.js';
import { kafkaConfig, probeKafka, skipWithoutBroker } from '../../helpers/kafka.js';

const logger = pino({ level: 'silent' });

describe('waitForBroker', () => {
  it('fails within its timeout with one line naming the brokers', async () => {
    // Port 1 refuses at once: every try fails fast, so the wait is the timeout.
    const config = resolveKafkaConfig({ brokers: ['127.0.0.1:1'] });
    const started = performance.now();
    await assert.rejects(waitForBroker(config, logger, { timeoutMs: 1_000 }), (error: Error) => {
      assert.match(error.message, /^no Kafka broker answered at 127\.0\.0\.1:1 within 1 s \(/);
      assert.doesNotMatch(error.message, /\n/);
      assert.equal((error as Error & { code?: string }).code, 'IO');
      return true;
    });
    const ms = performance.now() - started;
    assert.ok(ms >= 900 && ms < 5_000, `${Math.round(ms)} ms`);
  });

  it('answers at once when the broker is there', async (t) => {
    if (skipWithoutBroker(t, await probeKafka())) return;
    await waitForBroker(kafkaConfig, logger, { timeoutMs: 5_000 });
  });
});
