import { InvalidOptionError } from '../../schemas/errors.js';

/** The environment variable that lists the bootstrap brokers, comma-separated. */
export const KAFKA_BROKERS_ENV = 'IOMT_KAFKA_BROKERS';

/** Where and as whom a service reaches Kafka. Every field is optional. */
export interface KafkaOptions {
  /**
   * Bootstrap brokers as `host:port` (IPv6 hosts in brackets, `[::1]:9092`). Default: the
   * comma-separated list in IOMT_KAFKA_BROKERS, else `127.0.0.1:9092` (the broker that
   * infra/kafka/start.sh runs).
   */
  brokers?: readonly string[];
  /**
   * Sent with every request; the broker names its logs, quotas and metrics after it, so it is
   * limited to letters, digits, `.`, `_` and `-`. Default `iomt`.
   */
  clientId?: string;
  /** Milliseconds allowed to open a connection to a broker. Default 3000. */
  connectionTimeoutMs?: number;
  /** Milliseconds allowed for a broker to answer one request. Default 30000. */
  requestTimeoutMs?: number;
}

/** KafkaOptions with every default applied and every value checked. */
export interface KafkaConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

/** The defaults, in one place. */
export const KAFKA_DEFAULTS: KafkaConfig = Object.freeze({
  brokers: Object.freeze(['127.0.0.1:9092']),
  clientId: 'iomt',
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 30_000,
});

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Applies the defaults to `options` and validates the result. An option given here wins over
 * the environment; IOMT_KAFKA_BROKERS wins over the default. Throws InvalidOptionError naming
 * the option (or the environment variable) that is wrong.
 */
export function resolveKafkaConfig(
  options: KafkaOptions = {},
  env: Env = process.env,
): KafkaConfig {
  const brokers = options.brokers
    ? checkBrokers(options.brokers, 'brokers')
    : (brokersFromEnv(env) ?? KAFKA_DEFAULTS.brokers);

  return Object.freeze({
    brokers: Object.freeze([...brokers]),
    clientId: checkClientId(options.clientId ?? KAFKA_DEFAULTS.clientId),
    connectionTimeoutMs: checkTimeout(
      options.connectionTimeoutMs ?? KAFKA_DEFAULTS.connectionTimeoutMs,
      'connectionTimeoutMs',
    ),
    requestTimeoutMs: checkTimeout(
      options.requestTimeoutMs ?? KAFKA_DEFAULTS.requestTimeoutMs,
      'requestTimeoutMs',
    ),
  });
}

/** Splits a comma-separated broker list (as IOMT_KAFKA_BROKERS holds it) and checks each. */
export function parseBrokers(value: string, option: string = KAFKA_BROKERS_ENV): string[] {
  const brokers = value
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
  return checkBrokers(brokers, option);
}

function brokersFromEnv(env: Env): string[] | undefined {
  const value = env[KAFKA_BROKERS_ENV];
  // Unset and set-but-empty mean the same: a CI step may export the variable empty.
  if (value === undefined || value.trim() === '') return undefined;
  return parseBrokers(value, KAFKA_BROKERS_ENV);
}

// host:port, where host is a name, an IPv4 address or a bracketed IPv6 address.
const BROKER = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;

function checkBrokers(brokers: readonly string[], option: string): string[] {
  if (brokers.length === 0) throw new InvalidOptionError(option, 'needs at least one broker');

  for (const broker of brokers) {
    const port = BROKER.exec(broker)?.[1];
    if (port === undefined) {
      throw new InvalidOptionError(option, `'${broker}' is not host:port`);
    }
    if (Number(port) < 1 || Number(port) > 65_535) {
      throw new InvalidOptionError(option, `'${broker}' has port ${port}, not 1 to 65535`);
    }
  }
  return [...brokers];
}

const CLIENT_ID = /^[A-Za-z0-9._-]{1,249}$/;

function checkClientId(clientId: string): string {
  if (!CLIENT_ID.test(clientId)) {
    throw new InvalidOptionError(
      'clientId',
      `'${clientId}' must be 1 to 249 letters, digits, '.', '_' or '-'`,
    );
  }
  return clientId;
}

function checkTimeout(value: number, option: string): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new InvalidOptionError(
      option,
      `must be a positive integer of milliseconds, got ${value}`,
    );
  }
  return value;
}
