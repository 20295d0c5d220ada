import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type HrTime,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import type { KafkaMessage } from 'kafkajs';

import type { Stage } from '../../schemas/avro/messages.js';
import { contextOfHeaders, headersOfContext } from './kafka-context.js';
import { IOMT, MESSAGING, messagingAttributes } from './messaging-attributes.js';

/** Where a stage reads and writes, as its spans name it. */
export interface Hop {
  stage: Stage;
  inputTopic: string;
  outputTopic: string;
  deadLetterTopic: string;
  groupId: string;
}

interface Traced {
  /** `process <input topic>`: from the chunk's start to its transaction's end. */
  process: Span;
  context: Context;
  /** `send <output topic>`: from the output's send to the transaction's end. */
  send?: Span;
}

/**
 * The spans of one chunk of a stage: for each consumed message a consumer span parented on the
 * context in the message's headers (so that each record keeps its own trace through a batch),
 * an internal span for the stage's work on the chunk, and a producer span for what the record
 * became (an output or a dead letter), whose context goes into that message's headers. The
 * spans end when the transaction does; a chunk that is not committed marks them as errors, and
 * its redelivery makes new ones in the same traces.
 */
export class ChunkSpans {
  private readonly traced = new Map<KafkaMessage, Traced>();
  private readonly started: HrTime = hrTime();

  constructor(
    private readonly tracer: Tracer,
    private readonly hop: Hop,
    private readonly partition: number,
  ) {}

  /** Opens the consumer span of `message`, with the record it holds when it decoded. */
  consumed(message: KafkaMessage, record?: { capture: string; seq: number }): void {
    const { hop } = this;
    const parent = contextOfHeaders(message.headers);
    const process = this.tracer.startSpan(
      `process ${hop.inputTopic}`,
      {
        kind: SpanKind.CONSUMER,
        startTime: this.started,
        attributes: {
          ...messagingAttributes('process', hop.inputTopic),
          [MESSAGING.consumerGroup]: hop.groupId,
          [MESSAGING.partition]: String(this.partition),
          [MESSAGING.offset]: Number(message.offset),
          [IOMT.stage]: hop.stage,
          ...(record && { [IOMT.capture]: record.capture, [IOMT.seq]: record.seq }),
        },
      },
      parent,
    );
    this.traced.set(message, { process, context: trace.setSpan(parent, process) });
  }

  /** Records the stage's work on `messages`, which ran from `start` until now. */
  worked(messages: readonly KafkaMessage[], start: HrTime): void {
    const end = hrTime();
    for (const message of messages) {
      const traced = this.traced.get(message);
      if (!traced) continue;
      this.tracer
        .startSpan(
          this.hop.stage,
          {
            kind: SpanKind.INTERNAL,
            startTime: start,
            attributes: { [IOMT.stage]: this.hop.stage, [IOMT.chunkSize]: messages.length },
          },
          traced.context,
        )
        .end(end);
    }
  }

  /** Adds what the stage made of `message` (a score's class, say) to its consumer span. */
  describe(message: KafkaMessage, attributes: Attributes): void {
    this.traced.get(message)?.process.setAttributes(attributes);
  }

  /**
   * Opens the producer span of what `message` became and answers the headers that carry it:
   * its output, or with `deadLetter` the dead letter with its code, which also marks the
   * consumer span as an error.
   */
  produced(message: KafkaMessage, deadLetter?: { code: string; reason: string }) {
    const traced = this.traced.get(message);
    if (!traced) return {};
    const topic = deadLetter ? this.hop.deadLetterTopic : this.hop.outputTopic;
    if (deadLetter) {
      traced.process.setAttribute(IOMT.deadLetterCode, deadLetter.code);
      traced.process.setStatus({ code: SpanStatusCode.ERROR, message: deadLetter.reason });
    }
    const send = this.tracer.startSpan(
      `send ${topic}`,
      { kind: SpanKind.PRODUCER, attributes: messagingAttributes('send', topic) },
      traced.context,
    );
    traced.send = send;
    return headersOfContext(trace.setSpan(traced.context, send));
  }

  /** Runs `fn` in the context of `message`'s consumer span (so that logs carry its ids). */
  within<T>(message: KafkaMessage, fn: () => T): T {
    const traced = this.traced.get(message);
    return traced ? context.with(traced.context, fn) : fn();
  }

  /** Ends every span of the chunk: committed, or not with `error`. */
  end(error?: unknown): void {
    const end = hrTime();
    const reason = error instanceof Error ? error.message : JSON.stringify(error);
    const message = `not committed: ${reason}`;
    for (const { process, send } of this.traced.values()) {
      if (error !== undefined) {
        send?.setStatus({ code: SpanStatusCode.ERROR, message });
        process.setStatus({ code: SpanStatusCode.ERROR, message });
      }
      send?.end(end);
      process.end(end);
    }
    this.traced.clear();
  }
}
