import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InvalidOptionError } from '../../../schemas/errors.js';
import { resolveTelemetryConfig } from '../../../services/telemetry/telemetry-config.js';

const defaults = { serviceName: 'iomt-score', sampler: 'parentbased_always_on' as const };

describe('resolveTelemetryConfig', () => {
  it('records nothing and serves nothing when the environment says nothing', () => {
    const config = resolveTelemetryConfig(defaults, {});
    assert.deepEqual(config, {
      serviceName: 'iomt-score',
      traces: 'none',
      sampler: { name: 'parentbased_always_on', ratio: 1 },
    });
  });

  it('exports over OTLP once an endpoint is named, under OTEL_SERVICE_NAME', () => {
    const config = resolveTelemetryConfig(defaults, {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_SERVICE_NAME: 'scorer-a',
    });
    assert.equal(config.traces, 'otlp');
    assert.equal(config.serviceName, 'scorer-a');
    const traces = resolveTelemetryConfig(defaults, {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces',
    });
    assert.equal(traces.traces, 'otlp');
  });

  it('honours OTEL_TRACES_EXPORTER and OTEL_SDK_DISABLED', () => {
    assert.equal(
      resolveTelemetryConfig(defaults, { OTEL_TRACES_EXPORTER: 'console' }).traces,
      'console',
    );
    const env = { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318' };
    assert.equal(resolveTelemetryConfig(defaults, env).traces, 'none');
    const disabled = resolveTelemetryConfig(
      { ...defaults, metricsPort: 9466 },
      { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318' },
    );
    assert.equal(disabled.traces, 'none');
    assert.equal(disabled.metrics, undefined);
  });

  it('reads the sampler and its ratio, and refuses what it cannot use', () => {
    const config = resolveTelemetryConfig(defaults, {
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.05',
    });
    assert.deepEqual(config.sampler, { name: 'parentbased_traceidratio', ratio: 0.05 });
    assert.throws(
      () => resolveTelemetryConfig(defaults, { OTEL_TRACES_SAMPLER: 'sometimes' }),
      (e: unknown) => e instanceof InvalidOptionError && /OTEL_TRACES_SAMPLER/.test(e.message),
    );
    assert.throws(
      () =>
        resolveTelemetryConfig(defaults, {
          OTEL_TRACES_SAMPLER: 'traceidratio',
          OTEL_TRACES_SAMPLER_ARG: '2',
        }),
      /OTEL_TRACES_SAMPLER_ARG/,
    );
    assert.throws(
      () => resolveTelemetryConfig(defaults, { OTEL_TRACES_EXPORTER: 'zipkin' }),
      /OTEL_TRACES_EXPORTER/,
    );
  });

  it('serves metrics on the default port, the environment port, or none', () => {
    const withPort = { ...defaults, metricsPort: 9465 };
    assert.deepEqual(resolveTelemetryConfig(withPort, {}).metrics, {
      host: '127.0.0.1',
      port: 9465,
    });
    assert.deepEqual(
      resolveTelemetryConfig(withPort, {
        OTEL_EXPORTER_PROMETHEUS_PORT: '9999',
        OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0',
      }).metrics,
      { host: '0.0.0.0', port: 9999 },
    );
    assert.equal(
      resolveTelemetryConfig(withPort, { OTEL_METRICS_EXPORTER: 'none' }).metrics,
      undefined,
    );
    assert.equal(resolveTelemetryConfig(defaults, {}).metrics, undefined);
    assert.deepEqual(
      resolveTelemetryConfig(defaults, { OTEL_METRICS_EXPORTER: 'prometheus' }).metrics,
      { host: '127.0.0.1', port: 9464 },
    );
    assert.throws(
      () => resolveTelemetryConfig(withPort, { OTEL_EXPORTER_PROMETHEUS_PORT: 'x' }),
      /OTEL_EXPORTER_PROMETHEUS_PORT/,
    );
  });
});
