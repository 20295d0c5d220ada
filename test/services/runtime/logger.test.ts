import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { pino } from 'pino';

import { traceIds } from '../../../services/runtime/logger.js';

describe('log lines and traces', () => {
  it('carry the ids of the span they are written in, and nothing outside one', async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const lines: Record<string, unknown>[] = [];
    const stream = { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) };
    const logger = pino({ mixin: traceIds }, stream);
    const span = new TracerProvider().getTracer('test').startSpan('process iomt.flows.raw');

    logger.info('outside');
    await context.with(trace.setSpan(ROOT_CONTEXT, span), async () => {
      await Promise.resolve();
      logger.warn('dead-lettered');
    });
    span.end();

    assert.equal(lines[0]?.trace_id, undefined);
    assert.equal(lines[1]?.trace_id, span.spanContext().traceId);
    assert.equal(lines[1]?.span_id, span.spanContext().spanId);
  });
});
