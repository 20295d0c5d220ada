import { Kafka, logLevel } from 'kafkajs';
import type { Logger } from 'pino';

import { IomtError } from '../../schemas/errors.js';
import { retryWithBackoff } from './backoff.js';
import type { KafkaConfig } from './kafka-config.js';

/** How long `waitForBroker` keeps trying. Every field is optional. */
export interface BrokerWaitOptions {
  /** Milliseconds of tries in all before failing. Default 10000. */
  timeoutMs?: number;
  /** Milliseconds one try may wait for an answer once connected. Default 5000. */
  requestTimeoutMs?: number;
}

/**
 * Resolves once a broker of `config` answers a metadata request. Tries again with backoff,
 * logging each failure, and after `timeoutMs` throws an IomtError (code IO) whose one-line
 * message names the brokers and the last failure. Each try uses its own client without
 * kafkajs's retries, so the wait is bounded by the timeout plus one try.
 */
export async function waitForBroker(
  config: KafkaConfig,
  logger: Logger,
  options: BrokerWaitOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const requestTimeout = Math.min(config.requestTimeoutMs, options.requestTimeoutMs ?? 5_000);
  const brokers = config.brokers.join(',');
  const client = new Kafka({
    brokers: [...config.brokers],
    clientId: config.clientId,
    connectionTimeout: Math.min(config.connectionTimeoutMs, timeoutMs),
    requestTimeout,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const ask = async () => {
    const admin = client.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };

  try {
    await retryWithBackoff('reach the Kafka broker', ask, logger.child({ brokers }), {
      initialMs: 250,
      maxMs: 2_000,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new IomtError({
      code: 'IO',
      retriable: true,
      message: `no Kafka broker answered at ${brokers} within ${timeoutMs / 1000} s (${reason})`,
      cause: error,
      context: { brokers },
    });
  }
}
