import { randomBytes } from 'node:crypto';

import type { Kafka } from 'kafkajs';

import type { ScoredEvent } from '../../schemas/avro/messages.js';
import type { AvroRegistry } from '../../schemas/avro/registry.js';
import type { Logger } from '../runtime/logger.js';

/** Where and how to read scored events. */
export interface ScoreStreamOptions {
  kafka: Kafka;
  registry: AvroRegistry;
  /** The scored events topic. */
  topic: string;
  logger: Logger;
  /** Read the topic from its start rather than from its end. Default false. */
  fromBeginning?: boolean;
  /**
   * The consumer group. Default `iomt-downstream-<random hex>`: a fresh group, so every reader
   * sees the whole stream and commits nothing that another reader would resume from.
   */
  groupId?: string;
  /** Stops reading when aborted (SIGINT, a timeout); the reader then disconnects. */
  signal?: AbortSignal;
}

/** What a read of the scored events topic saw. */
export interface ScoreStreamSummary {
  /** Messages that decoded as scored events. */
  events: number;
  /** Messages that did not, per failure code. */
  undecodable: Record<string, number>;
}

/** What the event callback answers: go on reading, or stop. */
export type Next = 'continue' | 'stop';

/**
 * Reads committed scored events from `options.topic` and hands each to `onEvent` until it
 * answers `stop` or the signal aborts, then disconnects. A message that does not decode is
 * counted under its failure code and logged the first time a code is seen; reading goes on.
 */
export async function consumeScores(
  options: ScoreStreamOptions,
  onEvent: (event: ScoredEvent) => Next,
): Promise<ScoreStreamSummary> {
  const { registry, topic, logger, signal } = options;
  const groupId = options.groupId ?? `iomt-downstream-${randomBytes(6).toString('hex')}`;
  const summary: ScoreStreamSummary = { events: 0, undecodable: {} };
  if (signal?.aborted) return summary;

  // Read-committed (readUncommitted false) so aborted transactions of the score stage stay hidden.
  const consumer = options.kafka.consumer({
    groupId,
    readUncommitted: false,
    maxWaitTimeInMs: 250,
  });
  let stopped = false;
  let finish: (error?: Error) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    finish = (error) => {
      stopped = true;
      if (error) reject(error);
      else resolve();
    };
  });
  const onAbort = () => finish();
  signal?.addEventListener('abort', onAbort, { once: true });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) finish(payload.error);
  });

  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: options.fromBeginning ?? false });
    logger.info({ topic, groupId }, 'reading scored events');
    await consumer.run({
      // Nothing is committed: the group is this reader's own and is never resumed.
      autoCommit: false,
      eachMessage: ({ partition, message }) => {
        // Messages of a batch still arrive after a stop; they are not the caller's any more.
        if (stopped) return Promise.resolve();

        const decoded = registry.decodeAs('ScoredEvent', message.value ?? Buffer.alloc(0));
        if (!decoded.ok) {
          const seen = summary.undecodable[decoded.code] ?? 0;
          summary.undecodable[decoded.code] = seen + 1;
          if (seen === 0) {
            const where = { topic, partition, offset: message.offset, code: decoded.code };
            logger.warn(
              { ...where, reason: decoded.message },
              'undecodable message on the scores topic; further ones of this code are only counted',
            );
          }
          return Promise.resolve();
        }

        summary.events++;
        if (onEvent(decoded.value) === 'stop') finish();
        return Promise.resolve();
      },
    });
    await finished;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await consumer.disconnect();
  }
  return summary;
}
