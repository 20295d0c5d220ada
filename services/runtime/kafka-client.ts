import { Kafka, logLevel } from 'kafkajs';
import type { LogEntry } from 'kafkajs';
import type { Logger } from 'pino';

import type { KafkaConfig } from './kafka-config.js';

/**
 * What kafkajs says of every transactional producer with bounded retries. Bounded retries are
 * deliberate here: a send that still fails aborts the transaction, and the chunk is processed
 * again, so exactly-once holds; unbounded ones would hang a stage on a broker that is gone.
 */
const BOUNDED_RETRIES = 'Limiting retries for the idempotent producer';

/**
 * A kafkajs client for `config` whose own log lines go to `logger` (a child named `kafkajs`):
 * its errors and warnings at warn, the rest at debug. kafkajs logs errors it then retries
 * (CONCURRENT_TRANSACTIONS after most commits) at ERROR, so they are not errors here.
 */
export function createKafkaClient(config: KafkaConfig, logger: Logger): Kafka {
  const log = logger.child({ component: 'kafkajs' });
  return new Kafka({
    brokers: [...config.brokers],
    clientId: config.clientId,
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    logLevel: logLevel.INFO,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...rest } = entry.log;
      const meta = { namespace: entry.namespace, ...rest };
      if (entry.level <= logLevel.WARN && !message.startsWith(BOUNDED_RETRIES)) {
        log.warn(meta, message);
      } else log.debug(meta, message);
    },
  });
}
