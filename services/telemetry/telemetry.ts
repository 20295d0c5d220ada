import { context, metrics, propagation, trace, type Meter, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import type { Logger } from 'pino';

import type { SamplerConfig, TelemetryConfig } from './telemetry-config.js';

/** The instrumentation scope of every span and instrument the project makes. */
export const INSTRUMENTATION_SCOPE = 'iomt';

/** A process's tracer and meter, and how to flush and stop them. */
export interface Telemetry {
  readonly config: TelemetryConfig;
  readonly tracer: Tracer;
  readonly meter: Meter;
  /** `http://host:port/metrics` when a Prometheus endpoint is being served. */
  readonly metricsUrl?: string;
  /** Exports what is buffered and stops; safe to call more than once. */
  shutdown(): Promise<void>;
}

function samplerOf(config: SamplerConfig): Sampler {
  const ratio = new TraceIdRatioBasedSampler(config.ratio);
  switch (config.name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
  }
}

/**
 * Starts the process's telemetry as `config` says: the W3C trace-context propagator and an
 * AsyncLocalStorage context manager always (so a record's context passes through even an
 * untraced process), a tracer provider exporting in batches when spans go somewhere, and a
 * Prometheus endpoint when one is asked for. A port that is taken is logged and skipped, never
 * fatal: metrics are not worth stopping a stage for.
 */
export async function startTelemetry(config: TelemetryConfig, logger: Logger): Promise<Telemetry> {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const resource = resourceFromAttributes({ 'service.name': config.serviceName });

  let tracerProvider: TracerProvider | undefined;
  if (config.traces !== 'none') {
    const exporter = config.traces === 'otlp' ? new OTLPTraceExporter() : new ConsoleSpanExporter();
    tracerProvider = new TracerProvider({
      resource,
      sampler: samplerOf(config.sampler),
      // Every record makes a few spans per stage: a queue that holds some seconds of them at
      // the pipeline's rate, exported every second.
      spanProcessors: [
        new BatchSpanProcessor({
          exporter,
          maxQueueSize: 65_536,
          maxExportBatchSize: 2_048,
          scheduledDelayMillis: 1_000,
        }),
      ],
    });
    trace.setGlobalTracerProvider(tracerProvider);
  }

  let meterProvider: MeterProvider | undefined;
  let metricsUrl: string | undefined;
  if (config.metrics) {
    const { host, port } = config.metrics;
    const exporter = new PrometheusExporter({ host, port, preventServerStart: true });
    try {
      await exporter.startServer();
      meterProvider = new MeterProvider({ resource, readers: [exporter] });
      metrics.setGlobalMeterProvider(meterProvider);
      metricsUrl = `http://${host}:${port}/metrics`;
    } catch (error) {
      logger.warn(
        { host, port, err: error instanceof Error ? error.message : String(error) },
        'metrics endpoint not started; the stage runs without it',
      );
      await exporter.shutdown().catch(() => undefined);
    }
  }
  logger.info(
    {
      service: config.serviceName,
      traces: config.traces,
      sampler: config.sampler.name,
      ...(metricsUrl && { metrics: metricsUrl }),
    },
    'telemetry',
  );

  let stopped: Promise<void> | undefined;
  return {
    config,
    tracer: trace.getTracer(INSTRUMENTATION_SCOPE),
    meter: metrics.getMeter(INSTRUMENTATION_SCOPE),
    ...(metricsUrl && { metricsUrl }),
    shutdown: () =>
      (stopped ??= (async () => {
        await tracerProvider?.shutdown();
        await meterProvider?.shutdown();
      })()),
  };
}
