import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';

import { accept } from '../../../pipelines/stages/outcome.js';
import { loadAvroRegistry } from '../../../schemas/avro/registry.js';
import { InvalidOptionError } from '../../../schemas/errors.js';
import { requestsOf, StageRunner } from '../../../services/runtime/stage-runner.js';
import type { StageHandler } from '../../../services/runtime/stage-runner.js';
import { freePort } from '../../helpers/ports.js';

const passThrough: StageHandler<'ScaledFlowRecord', 'ScaledFlowRecord'> = {
  stage: 'preprocess',
  input: 'ScaledFlowRecord',
  output: 'ScaledFlowRecord',
  process: (values) => Promise.resolve(values.map((v) => accept(v))),
};

describe('StageRunner', () => {
  it('retries with backoff while no broker answers, logging each retry', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) };
    const kafka = new Kafka({
      brokers: [`127.0.0.1:${await freePort()}`],
      connectionTimeout: 500,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
    const runner = new StageRunner({
      kafka,
      registry: await loadAvroRegistry(),
      handler: passThrough,
      inputTopic: 'in',
      outputTopic: 'out',
      deadLetterTopic: 'dead',
      logger: pino({ level: 'info' }, stream),
      backoff: { initialMs: 5, maxAttempts: 3 },
    });

    await assert.rejects(runner.start(), /ECONNREFUSED|Connection/);
    const retries = lines.filter((l) => l.msg === 'retrying after failure');
    assert.equal(retries.length, 2);
    assert.deepEqual(
      retries.map((l) => l.attempt),
      [1, 2],
    );
    await runner.stop();
  });

  it('refuses a chunk size that is not a positive integer', async () => {
    assert.throws(
      () =>
        new StageRunner({
          kafka: new Kafka({ brokers: ['127.0.0.1:9'], logLevel: logLevel.NOTHING }),
          registry: undefined as never,
          handler: passThrough,
          inputTopic: 'in',
          outputTopic: 'out',
          deadLetterTopic: 'dead',
          logger: pino({ level: 'silent' }),
          chunkSize: 0,
        }),
      InvalidOptionError,
    );
  });
});

describe('requestsOf', () => {
  it('keeps each produce request under the byte limit, in order, losing nothing', () => {
    const message = (n: number) => ({ key: 'k', value: Buffer.alloc(n) });
    const messages = [message(40), message(40), message(30), message(90), message(10)];
    const requests = requestsOf(messages, 100);
    assert.deepEqual(
      requests.map((r) => r.map((m) => (m.value as Buffer).length)),
      [[40, 40], [30], [90], [10]],
    );
    assert.equal(requestsOf([message(500)], 100).length, 1);
    assert.deepEqual(requestsOf([], 100), []);
  });
});
