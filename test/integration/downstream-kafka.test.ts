import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import type { Admin, Producer } from 'kafkajs';
import { pino } from 'pino';

import type { ScoredEvent } from '../../schemas/avro/messages.js';
import { loadAvroRegistry } from '../../schemas/avro/registry.js';
import type { AvroRegistry } from '../../schemas/avro/registry.js';
import { monitor } from '../../services/downstream/monitor.js';
import { tail } from '../../services/downstream/tail.js';
import { createKafkaClient } from '../../services/runtime/kafka-client.js';
import { kafkaConfig as config, probeKafka, skipWithoutBroker } from '../helpers/kafka.js';

// iomt tail and iomt monitor against the broker of infra/kafka/start.sh (or IOMT_KAFKA_BROKERS).
// Without one the test skips, unless IOMT_REQUIRE_KAFKA is set.

const READ_TIMEOUT_MS = 30_000;
const G6 = ['Benign', 'Spoofing', 'Recon', 'MQTT', 'TCP_IP-DDoS', 'TCP_IP-DoS'];

const logger = pino({ level: process.env.IOMT_LOG_LEVEL ?? 'silent' });

/** A G6 scored event of `capture`, predicting class `predicted` with true 6-class `label6`. */
function scored(
  capture: string,
  seq: number,
  predicted: number,
  label6: string | null,
  unknownAttack = false,
): ScoredEvent {
  const probabilities = G6.map((_, c) => (c === predicted ? 0.6875 : 0.0625));
  const label19 = label6 === null ? null : label6 === 'Benign' ? 'Benign' : 'ARP_Spoofing';
  return {
    capture,
    seq,
    granularity: 'G6',
    predicted: G6[predicted] ?? '?',
    predictedIndex: predicted,
    probabilities,
    aeProbabilities: probabilities,
    lstmProbabilities: probabilities,
    reconstructionError: unknownAttack ? 2 : 0.125,
    unknownAttack,
    threshold: 1,
    modelVersion: 'test',
    label19,
    label6: label19 === null ? null : label6,
    producedAt: 1_700_000_000_000 + seq,
    scoredAt: 1_700_000_001_000 + seq,
  };
}

// Committed: 6 events (an undecodable message between the two transactions), 4 labelled (3 right), 2 unlabelled; 3 attacks predicted, 2 flagged.
// The last committed event is an attack, so a tail --attacks with its limit reads to the end.
const FIRST = [
  scored('ok', 0, 0, 'Benign'),
  scored('ok', 1, 1, 'Spoofing', true),
  scored('ok', 2, 0, 'Spoofing'),
];
const ABORTED = [scored('aborted', 0, 2, null, true), scored('aborted', 1, 0, null)];
const SECOND = [
  scored('ok', 3, 0, 'Benign'),
  scored('ok', 4, 0, null),
  scored('ok', 5, 4, null, true),
];
const COMMITTED = [...FIRST, ...SECOND];

describe('tail and monitor on a real broker', { timeout: 120_000 }, () => {
  const run = randomBytes(6).toString('hex');
  const topic = `iomt-test-${run}.iomt.scores`;
  const kafka = createKafkaClient(config, logger);
  let problem: string | undefined;
  let admin: Admin | undefined;
  let registry: AvroRegistry;

  const keys = (events: readonly ScoredEvent[]) => events.map((e) => `${e.capture}/${e.seq}`);

  async function transaction(producer: Producer, events: ScoredEvent[], commit: boolean) {
    const txn = await producer.transaction();
    await txn.send({
      topic,
      messages: events.map((e) => ({ key: e.capture, value: registry.encode('ScoredEvent', e) })),
    });
    if (commit) await txn.commit();
    else await txn.abort();
  }

  before(async () => {
    problem = await probeKafka();
    if (problem !== undefined) return;

    registry = await loadAvroRegistry();
    admin = kafka.admin();
    await admin.connect();
    // One partition: the order of the messages is the order they were written in.
    await admin.createTopics({
      topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
      waitForLeaders: true,
    });

    const producer = kafka.producer({
      transactionalId: `iomt-test-${run}-writer`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    const plain = kafka.producer();
    await producer.connect();
    await plain.connect();
    try {
      await transaction(producer, FIRST, true);
      // Not transactional, so visible to read-committed readers: one undecodable message.
      await plain.send({ topic, acks: -1, messages: [{ value: Buffer.from('not Avro') }] });
      await transaction(producer, ABORTED, false);
      await transaction(producer, SECOND, true);
    } finally {
      await producer.disconnect();
      await plain.disconnect();
    }
  });

  after(async () => {
    if (!admin) return;
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  const common = () => ({
    kafka,
    registry,
    topic,
    logger,
    fromBeginning: true,
    signal: AbortSignal.timeout(READ_TIMEOUT_MS),
  });

  it('tails exactly the committed events, as JSON lines', async (t) => {
    if (skipWithoutBroker(t, problem)) return;
    const lines: string[] = [];
    const summary = await tail({
      ...common(),
      format: 'json',
      limit: COMMITTED.length,
      print: (line) => lines.push(line),
    });
    const events = lines.map((line) => JSON.parse(line) as ScoredEvent);
    assert.deepEqual(keys(events), keys(COMMITTED));
    assert.deepEqual(events, COMMITTED);
    assert.equal(summary.printed, COMMITTED.length);
  });

  it('tails only the committed attacks, or only the flagged ones, in pretty lines', async (t) => {
    if (skipWithoutBroker(t, problem)) return;
    const attacks: string[] = [];
    await tail({ ...common(), attacks: true, limit: 2, print: (line) => attacks.push(line) });
    assert.equal(attacks.length, 2);
    assert.match(
      attacks[0] ?? '',
      / {2}ok\/1 {2}Spoofing {2}p=0\.688 {2}UNKNOWN-ATTACK {2}true=Spoofing$/,
    );
    assert.match(attacks[1] ?? '', / {2}ok\/5 {2}TCP_IP-DDoS {2}p=0\.688 {2}UNKNOWN-ATTACK$/);

    const flagged: string[] = [];
    const summary = await tail({
      ...common(),
      unknown: true,
      limit: 2,
      print: (line) => flagged.push(line),
    });
    assert.deepEqual(flagged, attacks);
    // The garbage message lies before the last committed event: it was read and counted.
    assert.equal(summary.events, COMMITTED.length);
    assert.deepEqual(Object.values(summary.undecodable), [1]);
  });

  it('monitors the committed events with hand-computed statistics', async (t) => {
    if (skipWithoutBroker(t, problem)) return;
    const printed: string[] = [];
    const { snapshot: s } = await monitor({
      ...common(),
      limit: COMMITTED.length,
      intervalSeconds: 60,
      print: (text) => printed.push(text),
    });
    assert.equal(printed.length, 1, 'one table at the end');
    assert.equal(s.events, 6);
    assert.equal(s.labelled, 4);
    assert.equal(s.unlabelled, 2);
    assert.equal(s.metrics?.accuracy, 3 / 4);
    assert.equal(s.metrics?.perClass[0]?.recall, 1);
    assert.equal(s.metrics?.perClass[1]?.recall, 1 / 2);
    assert.deepEqual(s.metrics?.confusion.slice(0, 2), [
      [2, 0, 0, 0, 0, 0],
      [1, 1, 0, 0, 0, 0],
    ]);
    assert.deepEqual(
      s.predicted.map((p) => p.count),
      [4, 1, 0, 0, 1, 0],
    );
    assert.equal(s.attackRate, 2 / 6);
    assert.equal(s.unknownAttackRate, 2 / 6);
  });
});
