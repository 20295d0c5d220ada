import { InvalidOptionError } from '../../schemas/errors.js';

/** How a process samples its traces, after the standard `OTEL_TRACES_SAMPLER` values. */
export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

const SAMPLERS: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

export interface SamplerConfig {
  name: SamplerName;
  /** The share of root traces kept by the ratio samplers, in [0, 1]. */
  ratio: number;
}

/** What the telemetry of one process does, from the `OTEL_*` environment and the process's defaults. */
export interface TelemetryConfig {
  serviceName: string;
  /** Where spans go: OTLP over HTTP, the console (for debugging), or nowhere. */
  traces: 'otlp' | 'console' | 'none';
  sampler: SamplerConfig;
  /** The Prometheus endpoint, or undefined for none. */
  metrics?: { host: string; port: number };
}

/** What a process assumes when the environment says nothing. */
export interface TelemetryDefaults {
  serviceName: string;
  sampler: SamplerName;
  /** The Prometheus port when nothing else names one; undefined for no endpoint by default. */
  metricsPort?: number;
}

type Env = Readonly<Record<string, string | undefined>>;

function flag(env: Env, name: string): boolean {
  return (env[name] ?? '').trim().toLowerCase() === 'true';
}

function portOf(name: string, text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidOptionError(name, `must be a port number (0 to 65535), got '${text}'`);
  }
  return port;
}

function samplerOf(env: Env, fallback: SamplerName): SamplerConfig {
  const text = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase() || fallback;
  if (!(SAMPLERS as readonly string[]).includes(text)) {
    throw new InvalidOptionError(
      'OTEL_TRACES_SAMPLER',
      `must be one of ${SAMPLERS.join(', ')}, got '${text}'`,
    );
  }
  const arg = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  const ratio = arg ? Number(arg) : 1;
  if (!(ratio >= 0 && ratio <= 1)) {
    throw new InvalidOptionError('OTEL_TRACES_SAMPLER_ARG', `must be in [0, 1], got '${arg}'`);
  }
  return { name: text as SamplerName, ratio };
}

/**
 * Reads the standard OpenTelemetry variables a service honours:
 *
 * - `OTEL_SDK_DISABLED=true` turns everything off.
 * - `OTEL_SERVICE_NAME` names the service (default: the process's, as `iomt-score`).
 * - Spans are exported over OTLP/HTTP only when `OTEL_EXPORTER_OTLP_ENDPOINT` or
 *   `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set, or `OTEL_TRACES_EXPORTER` says `otlp`;
 *   `OTEL_TRACES_EXPORTER=console` prints them, `none` drops them. With nothing set nothing is
 *   recorded: a record's trace context still passes through the process untouched.
 * - `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` choose the sampler.
 * - `OTEL_METRICS_EXPORTER=prometheus` (or a default port) serves metrics on
 *   `OTEL_EXPORTER_PROMETHEUS_HOST`:`OTEL_EXPORTER_PROMETHEUS_PORT` (default 127.0.0.1:9464);
 *   `OTEL_METRICS_EXPORTER=none` serves none.
 *
 * A value that cannot be used is an InvalidOptionError naming the variable.
 */
export function resolveTelemetryConfig(
  defaults: TelemetryDefaults,
  env: Env = process.env,
): TelemetryConfig {
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || defaults.serviceName;
  const sampler = samplerOf(env, defaults.sampler);
  if (flag(env, 'OTEL_SDK_DISABLED')) return { serviceName, traces: 'none', sampler };

  const exporter = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase();
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  let traces: TelemetryConfig['traces'];
  if (exporter === undefined || exporter === '') traces = endpoint ? 'otlp' : 'none';
  else if (exporter === 'otlp' || exporter === 'console' || exporter === 'none') traces = exporter;
  else {
    throw new InvalidOptionError(
      'OTEL_TRACES_EXPORTER',
      `must be otlp, console or none, got '${exporter}'`,
    );
  }

  const metricsExporter = env.OTEL_METRICS_EXPORTER?.trim().toLowerCase();
  if (metricsExporter && metricsExporter !== 'prometheus' && metricsExporter !== 'none') {
    throw new InvalidOptionError(
      'OTEL_METRICS_EXPORTER',
      `must be prometheus or none, got '${metricsExporter}'`,
    );
  }
  const portText = env.OTEL_EXPORTER_PROMETHEUS_PORT?.trim();
  const port = portText
    ? portOf('OTEL_EXPORTER_PROMETHEUS_PORT', portText)
    : metricsExporter === 'prometheus'
      ? (defaults.metricsPort ?? 9464)
      : defaults.metricsPort;
  const host = env.OTEL_EXPORTER_PROMETHEUS_HOST?.trim() || '127.0.0.1';
  const metrics = metricsExporter !== 'none' && port !== undefined ? { host, port } : undefined;

  return { serviceName, traces, sampler, ...(metrics && { metrics }) };
}
