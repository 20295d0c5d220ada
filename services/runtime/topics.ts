import type { Admin } from 'kafkajs';

import { InvalidOptionError } from '../../schemas/errors.js';

/** The pipeline's topics. */
export interface TopicNames {
  /** Raw flow records, as replayed. */
  readonly raw: string;
  /** Scaled flow records, from the preprocess stage. */
  readonly scaled: string;
  /** Flow windows, from the window stage. */
  readonly windows: string;
  /** Scored events, from the score stage. */
  readonly scores: string;
  /** Messages a stage could not process. */
  readonly deadLetter: string;
}

/** Topic names to override, and a prefix put before every name. Every field is optional. */
export interface TopicOptions extends Partial<TopicNames> {
  /** Put before every name, e.g. `test-1.`; default none. */
  prefix?: string;
}

/** The default names, in one place. */
export const TOPIC_DEFAULTS: TopicNames = Object.freeze({
  raw: 'iomt.flows.raw',
  scaled: 'iomt.flows.scaled',
  windows: 'iomt.windows',
  scores: 'iomt.scores',
  deadLetter: 'iomt.dead-letter',
});

// Kafka's own rule: at most 249 of letters, digits, '.', '_' and '-'.
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

/**
 * The topic names with the defaults and the prefix applied. Throws InvalidOptionError naming
 * the topic whose name Kafka would refuse.
 */
export function resolveTopicNames(options: TopicOptions = {}): TopicNames {
  const prefix = options.prefix ?? '';
  const names = {} as Record<keyof TopicNames, string>;
  for (const key of Object.keys(TOPIC_DEFAULTS) as (keyof TopicNames)[]) {
    const name = `${prefix}${options[key] ?? TOPIC_DEFAULTS[key]}`;
    if (!TOPIC.test(name) || name === '.' || name === '..') {
      throw new InvalidOptionError(key, `'${name}' is not a valid Kafka topic name`);
    }
    names[key] = name;
  }
  if (new Set(topicList(names)).size !== Object.keys(names).length) {
    throw new InvalidOptionError('topics', 'two topics have the same name');
  }
  return Object.freeze(names);
}

/** The topic names as a list: raw, scaled, windows, scores, dead-letter. */
export function topicList(names: TopicNames): string[] {
  return [names.raw, names.scaled, names.windows, names.scores, names.deadLetter];
}

/** How `createTopics` creates topics. */
export interface CreateTopicsOptions {
  /** Partitions per topic; records are keyed by capture. Default 3. */
  partitions?: number;
  /** Replicas per partition. Default 1 (the single broker of infra/kafka). */
  replicationFactor?: number;
}

/**
 * Creates those of the pipeline's topics that do not exist yet, and answers which it created.
 * Running it again creates nothing; an existing topic is left as it is, whatever its partition
 * count.
 */
export async function createTopics(
  admin: Admin,
  names: TopicNames,
  options: CreateTopicsOptions = {},
): Promise<string[]> {
  const partitions = options.partitions ?? 3;
  const replicationFactor = options.replicationFactor ?? 1;
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new InvalidOptionError('partitions', `must be a positive integer, got ${partitions}`);
  }

  const existing = new Set(await admin.listTopics());
  const missing = topicList(names).filter((topic) => !existing.has(topic));
  if (missing.length === 0) return [];
  await admin.createTopics({
    topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor })),
    waitForLeaders: true,
  });
  return missing;
}
