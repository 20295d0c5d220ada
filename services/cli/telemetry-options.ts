import type { Command } from 'commander';

import type { Logger } from '../runtime/logger.js';
import { startTelemetry, type Telemetry } from '../telemetry/telemetry.js';
import { resolveTelemetryConfig, type SamplerName } from '../telemetry/telemetry-config.js';
import { integer } from './parse.js';

/** The Prometheus port of each stage by default, so that all of them fit on one host. */
export const METRICS_PORTS = Object.freeze({ preprocess: 9464, window: 9465, score: 9466 });

export interface TelemetryFlags {
  metricsPort?: number;
}

/** The `--metrics-port` flag; tracing itself is configured by the `OTEL_*` environment. */
export function metricsOption(command: Command): Command {
  return command.option(
    '--metrics-port <n>',
    'Prometheus endpoint port, 0 for none (default OTEL_EXPORTER_PROMETHEUS_PORT or per stage)',
    integer('--metrics-port', 0),
  );
}

/**
 * Starts the telemetry of a command's process from the `OTEL_*` environment, with the flag's
 * port (0: no endpoint) over the environment's, and the command's defaults under both.
 */
export function startCommandTelemetry(
  defaults: { serviceName: string; sampler: SamplerName; metricsPort?: number },
  flags: TelemetryFlags,
  logger: Logger,
): Promise<Telemetry> {
  const env = { ...process.env };
  if (flags.metricsPort === 0) env.OTEL_METRICS_EXPORTER = 'none';
  else if (flags.metricsPort !== undefined)
    env.OTEL_EXPORTER_PROMETHEUS_PORT = `${flags.metricsPort}`;
  return startTelemetry(resolveTelemetryConfig(defaults, env), logger);
}
