import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

import type { SegmentId } from '../../services/downstream/latency.js';

// Spans that follow the services' span contract (docs/architecture.md, "Traces and metrics"),
// with explicit times, exported over OTLP by one tracer provider per service, as the four
// services would: for tests that read traces back from a real Jaeger.

export const SYNTHETIC_SERVICES = [
  'iomt-replay',
  'iomt-preprocess',
  'iomt-window',
  'iomt-score',
] as const;
export const SYNTHETIC_TOPICS = [
  'iomt.flows.raw',
  'iomt.flows.scaled',
  'iomt.windows',
  'iomt.scores',
] as const;
export const SYNTHETIC_DEAD_LETTER_TOPIC = 'iomt.dead-letter';
/** The dead-letter code and the model version the synthetic spans carry. */
export const SYNTHETIC_DEAD_LETTER_CODE = 'NOT_FINITE';
export const SYNTHETIC_MODEL_VERSION = 'synthetic-model';

const STAGES = ['preprocess', 'window', 'score'] as const;

/** The parts of one record's way that take time of their own. */
export type SyntheticSegment = Exclude<SegmentId, 'end-to-end'>;

export interface SyntheticRecord {
  capture: string;
  seq: number;
  /** The last stage reached and how: scored, dead-lettered at score, or the window span lost. */
  ending: 'scored' | 'dead-lettered' | 'no-window';
  /** The Kafka offset its process spans carry. Default its seq. */
  offset?: number;
  /** The class the score span predicts. Default Benign. */
  predicted?: string;
}

/** The spans one record's trace has in Jaeger. */
export function syntheticSpanCount(ending: SyntheticRecord['ending']): number {
  // The replay's send, then process, stage and send spans per stage that reaches Jaeger.
  return ending === 'no-window' ? 7 : 10;
}

const propagator = new W3CTraceContextPropagator();

/** The headers a producer writes into a message, and the context a consumer reads back. */
function carry(span: Span): Context {
  const headers: Record<string, string> = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter);
  return propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

/** One tracer provider per service, exporting every span at once to `${otlp}/v1/traces`. */
export class SyntheticTraces {
  private readonly providers: TracerProvider[] = [];
  private readonly tracers = new Map<string, Tracer>();

  constructor(otlpEndpoint: string, scope: string) {
    for (const service of SYNTHETIC_SERVICES) {
      const exporter = new OTLPTraceExporter({ url: `${otlpEndpoint}/v1/traces` });
      const provider = new TracerProvider({
        resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service }),
        spanProcessors: [new SimpleSpanProcessor({ exporter })],
      });
      this.providers.push(provider);
      this.tracers.set(service, provider.getTracer(scope));
    }
  }

  /**
   * Emits one record's spans, starting at `t0` (epoch ms), each segment lasting `ms(segment)`
   * milliseconds; returns the trace id.
   */
  emit(record: SyntheticRecord, t0: number, ms: (segment: SyntheticSegment) => number): string {
    const tracer = (service: string) => this.tracers.get(service) as Tracer;
    const common = { 'messaging.system': 'kafka', 'iomt.capture': record.capture };

    let now = t0;
    const replay = tracer('iomt-replay').startSpan(
      `send ${SYNTHETIC_TOPICS[0]}`,
      {
        kind: SpanKind.PRODUCER,
        startTime: now,
        attributes: {
          ...common,
          'messaging.operation.type': 'send',
          'messaging.destination.name': SYNTHETIC_TOPICS[0],
          'iomt.seq': record.seq,
        },
      },
      ROOT_CONTEXT,
    );
    replay.end((now += ms('replay')));

    let previous = replay;
    const waits = ['raw-wait', 'scaled-wait', 'windows-wait'] as const;
    for (const [s, stage] of STAGES.entries()) {
      if (stage === 'window' && record.ending === 'no-window') {
        // The window stage's spans never reach Jaeger; score still runs under preprocess's send.
        now += ms('window') + ms('scaled-wait');
        continue;
      }
      now += ms(waits[s] ?? 'raw-wait');
      const started = now;
      const deadLetter = stage === 'score' && record.ending === 'dead-lettered';
      const scored = stage === 'score' && !deadLetter;
      const service = `iomt-${stage}`;
      const process = tracer(service).startSpan(
        `process ${SYNTHETIC_TOPICS[s]}`,
        {
          kind: SpanKind.CONSUMER,
          startTime: started,
          attributes: {
            ...common,
            'messaging.operation.type': 'process',
            'messaging.destination.name': SYNTHETIC_TOPICS[s] ?? '',
            'messaging.consumer.group.name': service,
            'messaging.destination.partition.id': '0',
            'messaging.kafka.offset': record.offset ?? record.seq,
            'iomt.stage': stage,
            'iomt.seq': record.seq,
            ...(deadLetter && { 'iomt.dead_letter.code': SYNTHETIC_DEAD_LETTER_CODE }),
            ...(scored && {
              'iomt.predicted': record.predicted ?? 'Benign',
              'iomt.model_version': SYNTHETIC_MODEL_VERSION,
              'iomt.unknown_attack': false,
            }),
          },
        },
        carry(previous),
      );
      if (deadLetter) process.setStatus({ code: SpanStatusCode.ERROR, message: 'NaN feature' });
      const parent = trace.setSpan(context.active(), process);

      // The stage's work fills the first half; the output's send starts halfway through and,
      // like the process span, ends at the commit.
      const half = started + ms(stage) / 2;
      tracer(service)
        .startSpan(stage, { startTime: started, attributes: { 'iomt.stage': stage } }, parent)
        .end(half);
      now += ms(stage);
      const output = deadLetter ? SYNTHETIC_DEAD_LETTER_TOPIC : (SYNTHETIC_TOPICS[s + 1] ?? '');
      const send = tracer(service).startSpan(
        `send ${output}`,
        {
          kind: SpanKind.PRODUCER,
          startTime: half,
          attributes: { ...common, 'messaging.destination.name': output },
        },
        parent,
      );
      send.end(now);
      process.end(now);
      previous = send;
    }
    return replay.spanContext().traceId;
  }

  /** Exports every span emitted so far. */
  async flush(): Promise<void> {
    for (const provider of this.providers) await provider.forceFlush();
  }

  async shutdown(): Promise<void> {
    for (const provider of this.providers) await provider.shutdown();
  }
}
