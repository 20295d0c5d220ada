import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';
import type { KafkaMessage } from 'kafkajs';

import { ChunkSpans } from '../../../services/telemetry/chunk-spans.js';
import { contextOfHeaders, headersOfContext } from '../../../services/telemetry/kafka-context.js';

propagation.setGlobalPropagator(new W3CTraceContextPropagator());

const hop = {
  stage: 'window' as const,
  inputTopic: 'iomt.scaled',
  outputTopic: 'iomt.windows',
  deadLetterTopic: 'iomt.dead-letter',
  groupId: 'iomt-window',
};

function tracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  return { exporter, tracer: provider.getTracer('test') };
}

function message(offset: string, headers: Record<string, string>): KafkaMessage {
  const buffers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)]));
  return {
    key: Buffer.from('capture'),
    value: Buffer.from('x'),
    timestamp: '0',
    attributes: 0,
    offset,
    headers: buffers,
  };
}

const named = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);

describe('kafka-context', () => {
  it('carries a span context through message headers', () => {
    const { tracer } = tracing();
    const span = tracer.startSpan('send iomt.raw');
    const headers = headersOfContext(trace.setSpan(ROOT_CONTEXT, span));
    assert.match(headers.traceparent ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const back = trace.getSpanContext(
      contextOfHeaders({ traceparent: Buffer.from(headers.traceparent ?? '') }),
    );
    assert.equal(back?.traceId, span.spanContext().traceId);
    assert.equal(back?.spanId, span.spanContext().spanId);
    assert.equal(trace.getSpanContext(contextOfHeaders(undefined)), undefined);
  });
});

describe('ChunkSpans', () => {
  it("parents each record's spans on its own message's context", () => {
    const { exporter, tracer } = tracing();
    const upstream = [tracer.startSpan('send iomt.scaled'), tracer.startSpan('send iomt.scaled')];
    const messages = upstream.map((span, i) =>
      message(String(10 + i), headersOfContext(trace.setSpan(ROOT_CONTEXT, span))),
    );
    upstream.forEach((span) => span.end());

    const spans = new ChunkSpans(tracer, hop, 2);
    const start: [number, number] = [Math.floor(Date.now() / 1000), 0];
    messages.forEach((m, i) => spans.consumed(m, { capture: 'cap', seq: i }));
    spans.worked(messages, start);
    const out = messages.map((m) => spans.produced(m));
    spans.describe(messages[1] as KafkaMessage, { 'iomt.predicted': 'DDoS' });
    spans.end();

    const finished = exporter.getFinishedSpans();
    const processes = named(finished, 'process iomt.scaled');
    const sends = named(finished, 'send iomt.windows');
    const work = named(finished, 'window');
    assert.equal(processes.length, 2);
    assert.equal(sends.length, 2);
    assert.equal(work.length, 2);
    processes.forEach((process, i) => {
      const parent = upstream[i]?.spanContext();
      assert.equal(process.kind, SpanKind.CONSUMER);
      assert.equal(process.spanContext().traceId, parent?.traceId, 'one trace per record');
      assert.equal(process.parentSpanContext?.spanId, parent?.spanId);
      assert.equal(process.attributes['messaging.system'], 'kafka');
      assert.equal(process.attributes['messaging.operation.type'], 'process');
      assert.equal(process.attributes['messaging.destination.name'], 'iomt.scaled');
      assert.equal(process.attributes['messaging.consumer.group.name'], 'iomt-window');
      assert.equal(process.attributes['messaging.destination.partition.id'], '2');
      assert.equal(process.attributes['messaging.kafka.offset'], 10 + i);
      assert.equal(process.attributes['iomt.capture'], 'cap');
      assert.equal(process.attributes['iomt.seq'], i);

      const send = sends.find((s) => s.parentSpanContext?.spanId === process.spanContext().spanId);
      assert.ok(send, 'the send span is the process span child');
      assert.equal(send.kind, SpanKind.PRODUCER);
      assert.equal(send.attributes['messaging.operation.type'], 'send');
      const carried = out[i]?.traceparent ?? '';
      assert.ok(carried.includes(send.spanContext().spanId), 'the output carries the send span');
      assert.ok(
        work.some((w) => w.parentSpanContext?.spanId === process.spanContext().spanId),
        'the stage span is the process span child',
      );
    });
    assert.equal(processes[1]?.attributes['iomt.predicted'], 'DDoS');
  });

  it('marks dead letters and uncommitted chunks as errors', () => {
    const { exporter, tracer } = tracing();
    const first = new ChunkSpans(tracer, hop, 0);
    const bad = message('1', {});
    first.consumed(bad);
    first.produced(bad, { code: 'AVRO_BAD_MARKER', reason: 'not a single-object message' });
    first.end();
    const [process] = named(exporter.getFinishedSpans(), 'process iomt.scaled');
    assert.equal(process?.status.code, SpanStatusCode.ERROR);
    assert.equal(process?.attributes['iomt.dead_letter.code'], 'AVRO_BAD_MARKER');
    assert.equal(process?.parentSpanContext, undefined, 'without a carried context, a new trace');
    assert.equal(named(exporter.getFinishedSpans(), 'send iomt.dead-letter').length, 1);

    exporter.reset();
    const second = new ChunkSpans(tracer, hop, 0);
    const good = message('2', {});
    second.consumed(good, { capture: 'c', seq: 1 });
    second.produced(good);
    second.end(new Error('the broker went away'));
    for (const span of exporter.getFinishedSpans()) {
      assert.equal(span.status.code, SpanStatusCode.ERROR);
      assert.match(span.status.message ?? '', /not committed: the broker went away/);
    }
  });
});
