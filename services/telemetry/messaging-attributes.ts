import type { Attributes } from '@opentelemetry/api';

/**
 * Span attribute names of the OpenTelemetry messaging semantic conventions that the spans use.
 * They are still "development" conventions, which the semantic-conventions package exports
 * only from its unstable entry point, so the names the spans rely on are written here.
 */
export const MESSAGING = Object.freeze({
  system: 'messaging.system',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  destination: 'messaging.destination.name',
  consumerGroup: 'messaging.consumer.group.name',
  partition: 'messaging.destination.partition.id',
  offset: 'messaging.kafka.offset',
  messageKey: 'messaging.kafka.message.key',
});

/** The project's own span attributes. */
export const IOMT = Object.freeze({
  stage: 'iomt.stage',
  capture: 'iomt.capture',
  seq: 'iomt.seq',
  chunkSize: 'iomt.chunk.size',
  predicted: 'iomt.predicted',
  modelVersion: 'iomt.model_version',
  unknownAttack: 'iomt.unknown_attack',
  deadLetterCode: 'iomt.dead_letter.code',
});

/** The attributes every Kafka span has: the system, the operation and the topic. */
export function messagingAttributes(operation: 'send' | 'process', topic: string): Attributes {
  return {
    [MESSAGING.system]: 'kafka',
    [MESSAGING.operationType]: operation,
    [MESSAGING.operationName]: operation,
    [MESSAGING.destination]: topic,
  };
}
