import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { KAFKA_DEFAULTS, resolveKafkaConfig } from '../../../services/runtime/kafka-config.js';

describe('resolveKafkaConfig', () => {
  it('defaults to the project broker on loopback', () => {
    const config = resolveKafkaConfig({}, {});
    assert.deepEqual(config.brokers, ['127.0.0.1:9092']);
    assert.equal(config.clientId, KAFKA_DEFAULTS.clientId);
  });

  it('reads IOMT_KAFKA_BROKERS, and an explicit option wins over it', () => {
    const env = { IOMT_KAFKA_BROKERS: '127.0.0.1:19092,[::1]:9092' };
    assert.deepEqual(resolveKafkaConfig({}, env).brokers, ['127.0.0.1:19092', '[::1]:9092']);
    assert.deepEqual(resolveKafkaConfig({ brokers: ['localhost:1'] }, env).brokers, [
      'localhost:1',
    ]);
  });

  it('refuses bad addresses, client ids and timeouts, naming the option', () => {
    assert.throws(() => resolveKafkaConfig({ brokers: ['no-port'] }, {}), /brokers/);
    assert.throws(
      () => resolveKafkaConfig({}, { IOMT_KAFKA_BROKERS: 'a:b' }),
      /IOMT_KAFKA_BROKERS/,
    );
    assert.throws(() => resolveKafkaConfig({ clientId: 'bad id!' }, {}), /clientId/);
    assert.throws(() => resolveKafkaConfig({ requestTimeoutMs: -1 }, {}), /requestTimeoutMs/);
  });
});
