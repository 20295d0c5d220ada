import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import type { Admin } from 'kafkajs';
import { pino, type Logger } from 'pino';

import { loadBundle, type LoadedBundle } from '../../pipelines/models/bundle.js';
import { createScorer } from '../../pipelines/models/bundle-runner.js';
import type { Scorer } from '../../pipelines/models/scorer.js';
import type { FlowWindow, ScaledFlowRecord, SchemaName } from '../../schemas/avro/messages.js';
import { loadAvroRegistry } from '../../schemas/avro/registry.js';
import type { AvroRegistry } from '../../schemas/avro/registry.js';
import { createKafkaClient } from '../../services/runtime/kafka-client.js';
import { StageRunner } from '../../services/runtime/stage-runner.js';
import type { OutputSchema, StageHandler, Stoppable } from '../../services/runtime/stage-runner.js';
import { createTopics, resolveTopicNames, topicList } from '../../services/runtime/topics.js';
import type { TopicNames } from '../../services/runtime/topics.js';
import { preprocessHandler } from '../../services/stages/preprocess-service.js';
import { scoreHandler } from '../../services/stages/score-service.js';
import { windowHandler } from '../../services/stages/window-service.js';
import { replayInBackground } from '../helpers/background-replay.js';
import { assertExactlyOnce, readDelivered, recordKey } from '../helpers/delivered.js';
import { kafkaConfig as config, probeKafka, skipWithoutBroker } from '../helpers/kafka.js';
import {
  offlinePredictions,
  type OfflinePredictions,
  type OfflineRecord,
} from '../helpers/offline-predictions.js';
import { tinyBundle } from '../helpers/tiny-bundle.js';

// Two live window stage instances of one group, in this process with the other stages: B
// joins mid-replay and takes some of A's partitions, then A stops gracefully and B takes the
// rest. Each time B rebuilds the state of the captures it is given from the windows topic, so
// every record is windowed and scored exactly once and as offline evaluation does it; a
// capture whose state were lost would have its next windows padded. Needs the broker of
// infra/kafka/start.sh (or IOMT_KAFKA_BROKERS); skips without one unless IOMT_REQUIRE_KAFKA.

const PARTITIONS = 4;
const REPLAYED = 600;
const RATE = 60;
/** Windows A writes alone before B joins. */
const B_JOINS_AT = 60;
/** Records of a capture still to come when A stops: B windows them on A's state. */
const STILL_TO_COME = 15;
const WAIT_MS = 20_000;
const READ_TIMEOUT_MS = 30_000;

const logger = pino({ level: process.env.IOMT_LOG_LEVEL ?? 'silent' });

type Instance = 'a' | 'b';

/** A logger at info whose lines are kept, parsed, for the assertions. */
function keptLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

/** Resolves once `ready` holds; fails after `timeoutMs`, saying `why`. */
async function until(ready: () => boolean, timeoutMs: number, why: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) assert.fail(why());
    await sleep(50);
  }
}

/**
 * The windows whose steps are not the last T records of their capture, oldest first and
 * padded only before its first record, as `capture/seq: why`. A step is compared with the
 * newest step of the window of the record it stands for.
 */
function misWindowed(windows: readonly FlowWindow[], records: readonly OfflineRecord[]) {
  const newest = new Map(windows.map((window) => [recordKey(window), window.record]));
  const keysOf = new Map<string, string[]>();
  for (const record of records) {
    const keys = keysOf.get(record.capture) ?? [];
    keys.push(recordKey(record));
    keysOf.set(record.capture, keys);
  }

  const wrong: string[] = [];
  for (const window of windows) {
    const keys = keysOf.get(window.capture) ?? [];
    const at = keys.indexOf(recordKey(window));
    const features = window.stepWidth - 1;
    for (let step = 0; step < window.windowLength; step++) {
      const source = keys[at - (window.windowLength - 1 - step)];
      const from = step * window.stepWidth;
      const present = window.steps[from + features] === 1;
      const want = source === undefined ? undefined : newest.get(source);
      const same =
        want === undefined
          ? !present && source === undefined
          : present &&
            want.every((v, i) => Math.fround(v) === Math.fround(window.steps[from + i] ?? NaN));
      if (!same) {
        wrong.push(`${recordKey(window)}: step ${step} ${present ? 'differs' : 'padded'}`);
        break;
      }
    }
  }
  return wrong;
}

describe('the window stage rebalanced between two live instances on a real broker', () => {
  const run = randomBytes(6).toString('hex');
  const kafka = createKafkaClient(config, logger);
  const groups: string[] = [];
  const running = new Set<Stoppable>();
  let topics: TopicNames;
  let problem: string | undefined;
  let admin: Admin | undefined;
  let registry: AvroRegistry;
  let bundle: LoadedBundle;
  let scorer: Scorer | undefined;
  let offline: OfflinePredictions;
  let data = '';
  let cleanup = async () => {};

  const group = (name: string) => {
    const id = `iomt-test-${run}-${name}`;
    if (!groups.includes(id)) groups.push(id);
    return id;
  };

  before(async () => {
    problem = await probeKafka();
    if (problem !== undefined) return;

    // 3000 rows give a test split of about 600 records, its larger captures 30 to 60 long.
    const tiny = await tinyBundle({ prefix: 'rebalance-kafka', rows: 3000 });
    ({ cleanup, data } = tiny);
    bundle = await loadBundle(tiny.bundle);
    registry = await loadAvroRegistry();
    admin = kafka.admin();
    await admin.connect();
    topics = resolveTopicNames({ prefix: `iomt-test-${run}.` });
    await createTopics(admin, topics, { partitions: PARTITIONS });
    offline = await offlinePredictions({
      bundle: tiny.bundle,
      data,
      out: join(tiny.dir, 'eval'),
    });
    scorer = await createScorer(bundle, { engine: 'onnx', logger });
  });

  after(async () => {
    for (const runner of running) await runner.stop().catch(() => undefined);
    await scorer?.dispose();
    if (admin) {
      await admin.deleteTopics({ topics: topicList(topics) }).catch(() => undefined);
      await admin.deleteGroups(groups).catch(() => undefined);
      await admin.disconnect();
    }
    await cleanup();
  });

  /** A started runner of `handler` between the topics `io` names; `after` stops it. */
  async function started<I extends SchemaName, O extends OutputSchema>(
    handler: StageHandler<I, O>,
    io: readonly [keyof TopicNames, keyof TopicNames],
    extra: { instanceId?: string; chunkSize?: number; logger?: Logger } = {},
  ) {
    const runner = new StageRunner({
      kafka,
      registry,
      logger,
      handler,
      deadLetterTopic: topics.deadLetter,
      inputTopic: topics[io[0]],
      outputTopic: topics[io[1]],
      groupId: group(handler.stage),
      ...extra,
    });
    running.add(runner);
    await runner.start();
    return runner;
  }

  it(
    'scores each record exactly once, as offline evaluation does, while partitions move ' +
      'from one live window instance to another',
    { timeout: 90_000 },
    async (t) => {
      if (skipWithoutBroker(t, problem)) return;
      const count = Math.min(REPLAYED, offline.records.length);
      const replayed = offline.records.slice(0, count);
      const lastSeq = new Map<string, number>();
      for (const record of replayed) lastSeq.set(record.capture, record.seq);

      // Which instance windowed each record, in the order they were windowed.
      const windowedBy: { instance: Instance; record: ScaledFlowRecord }[] = [];
      let bWindowed = false;
      let stopA: () => void = () => undefined;
      const aMayStop = new Promise<void>((resolve) => (stopA = resolve));
      const windowStage = (instance: Instance, log: Logger) => {
        const handler = windowHandler(bundle, {
          kafka,
          registry,
          topic: topics.windows,
          logger: log,
        });
        const tracked: typeof handler = {
          ...handler,
          process: (records, partition) => {
            for (const record of records) {
              windowedBy.push({ instance, record });
              if (instance === 'b') bWindowed = true;
              // A stops inside a capture that has records still to come, once B is windowing.
              const last = lastSeq.get(record.capture) ?? -1;
              if (instance === 'a' && bWindowed && last - record.seq >= STILL_TO_COME) stopA();
            }
            return handler.process(records, partition);
          },
        };
        return started(tracked, ['scaled', 'windows'], { instanceId: instance, logger: log });
      };

      const t0 = Date.now();
      await started(preprocessHandler(bundle), ['raw', 'scaled'], { chunkSize: 20 });
      const handler = scoreHandler(bundle, scorer as Scorer, { microBatch: 128 });
      await started(handler, ['windows', 'scores'], { chunkSize: 200 });
      const a = await windowStage('a', logger);

      const replaying = replayInBackground({
        kafka,
        registry,
        logger,
        data,
        topic: topics.raw,
        limit: count,
        rate: RATE,
      });

      await until(
        () => a.counts.produced >= B_JOINS_AT,
        WAIT_MS,
        () => `window A wrote ${a.counts.produced} windows`,
      );
      const kept = keptLogger();
      const b = await windowStage('b', kept.logger);
      const story = () =>
        `A ${JSON.stringify(a.counts)}, B ${JSON.stringify(b.counts)}, B's log: ` +
        kept.lines.map((line) => line.msg).join('; ');

      const stopping = await Promise.race([aMayStop.then(() => true), sleep(WAIT_MS, false)]);
      assert.ok(stopping, `A never windowed a capture with records to come after B: ${story()}`);
      assert.equal(replaying.finished(), false, 'A stops mid-replay');
      await a.stop();
      running.delete(a);
      const aConsumed = a.counts.consumed;
      assert.equal((await replaying.done).records, count);

      const read = { kafka, registry, count, timeoutMs: READ_TIMEOUT_MS };
      const [windows, delivered] = await Promise.all([
        readDelivered({
          ...read,
          topic: topics.windows,
          schema: 'FlowWindow',
          groupId: group('windows-reader'),
        }),
        readDelivered({
          ...read,
          topic: topics.scores,
          schema: 'ScoredEvent',
          groupId: group('scores-reader'),
        }),
      ]);
      assertExactlyOnce(windows, count, story);
      assertExactlyOnce(delivered, count, story);
      const wrong = misWindowed(windows.values, replayed);
      assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} windows lost their capture's state`);
      let differ = 0;
      for (const event of delivered.values) {
        const want = offline.predicted.get(recordKey(event));
        assert.notEqual(want, undefined, `${recordKey(event)} is a test record`);
        if (event.predictedIndex !== want) differ++;
      }
      assert.equal(differ, 0, `${differ} of ${count} predictions differ from offline evaluation`);

      assert.ok(aConsumed > 0 && b.counts.consumed > 0, `both windowed records: ${story()}`);
      // B was given partitions twice (when it joined, when A left) and at last held them all.
      const prepared = kept.lines.filter((line) => line.msg === 'assigned partitions prepared');
      assert.ok(prepared.length >= 2, `B prepared partitions twice: ${story()}`);
      const held = new Set(prepared.flatMap((line) => line.partitions as number[]));
      assert.equal(held.size, PARTITIONS, `B prepared every partition: ${story()}`);
      const readBack = kept.lines.filter((line) => line.msg === 'windows read back');
      const restored = readBack.reduce((sum, line) => sum + (line.captures as number), 0);
      assert.ok(restored > 0, `B read captures' windows back: ${story()}`);

      // Some capture was windowed by A and then, past where A left it, by B.
      const lastOfA = new Map<string, number>();
      let moved = 0;
      for (const { instance, record } of windowedBy) {
        const left = lastOfA.get(record.capture);
        if (instance === 'a') lastOfA.set(record.capture, Math.max(left ?? -1, record.seq));
        else if (left !== undefined && record.seq > left) moved++;
      }
      assert.ok(moved > 0, `B windowed records of a capture A had begun: ${story()}`);
      t.diagnostic(`B windowed ${moved} records past A, in ${Date.now() - t0} ms`);
    },
  );
});
