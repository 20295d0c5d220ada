import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
  type Tracer,
} from '@opentelemetry/api';

import { headersOfContext } from './kafka-context.js';
import { IOMT, messagingAttributes } from './messaging-attributes.js';

/**
 * The root spans of records a producer writes, `send <topic>`: each record starts its own
 * trace when it is encoded, and its span ends once the produce request holding it is
 * acknowledged (or fails).
 */
export class ProduceSpans {
  private open: Span[] = [];

  constructor(
    private readonly tracer: Tracer,
    private readonly topic: string,
  ) {}

  /** Starts the trace of a record and answers the headers that carry it. */
  started(record: { capture: string; seq: number }): Record<string, string> {
    const span = this.tracer.startSpan(
      `send ${this.topic}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          ...messagingAttributes('send', this.topic),
          [IOMT.stage]: 'replay',
          [IOMT.capture]: record.capture,
          [IOMT.seq]: record.seq,
        },
      },
      ROOT_CONTEXT,
    );
    this.open.push(span);
    return headersOfContext(trace.setSpan(ROOT_CONTEXT, span));
  }

  /** Ends the spans of every record started since the last call: sent, or not with `error`. */
  sent(error?: unknown): void {
    for (const span of this.open) {
      if (error !== undefined) {
        const message = error instanceof Error ? error.message : JSON.stringify(error);
        span.setStatus({ code: SpanStatusCode.ERROR, message });
      }
      span.end();
    }
    this.open = [];
  }
}
