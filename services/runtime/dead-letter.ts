import type { KafkaMessage } from 'kafkajs';

import type { DeadLetter, Stage } from '../../schemas/avro/messages.js';

/** Where a message came from: its topic and partition. */
export interface MessageOrigin {
  topic: string;
  partition: number;
}

/** The dead-letter record of a message a stage could not process, with its original bytes. */
export function deadLetterOf(
  message: KafkaMessage,
  origin: MessageOrigin,
  stage: Stage,
  errorCode: string,
  errorMessage: string,
  now: () => number = Date.now,
): DeadLetter {
  return {
    value: message.value ?? Buffer.alloc(0),
    key: message.key ?? null,
    topic: origin.topic,
    partition: origin.partition,
    offset: Number(message.offset),
    errorCode,
    errorMessage,
    stage,
    failedAt: now(),
  };
}
