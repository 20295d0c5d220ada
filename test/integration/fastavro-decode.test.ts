import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { SCHEMA_FILES } from '../../schemas/avro/messages.js';
import type { SchemaName } from '../../schemas/avro/messages.js';
import { classNames, featureNames } from '../../schemas/avro/names.js';
import { loadAvroRegistry } from '../../schemas/avro/registry.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { findPython, skipReason } from '../helpers/python.js';
import { nullSamples, samples } from '../helpers/avro-samples.js';

const SKIP_REASON = skipReason('fastavro');
const NAMES = Object.keys(SCHEMA_FILES) as SchemaName[];

/** What test/integration/avro_decode.py prints. */
interface FastavroView {
  fastavro: string;
  schemas: Record<string, { fingerprint: string; canonical: string }>;
  messages: {
    schema?: string;
    fingerprint?: string;
    value?: Record<string, unknown>;
    names?: { features?: string[]; classes?: string[] };
    error?: string;
  }[];
}

const python = await findPython('fastavro');
const registry = await loadAvroRegistry();

/** Runs the script on messages given as hex lines on its stdin. */
function decodeWithFastavro(messages: readonly Buffer[]): Promise<FastavroView> {
  assert.ok(python);
  const script = join(REPO_ROOT, 'test/integration/avro_decode.py');
  const input = messages.map((m) => m.toString('hex')).join('\n');
  return new Promise((resolve, reject) => {
    const child = execFile(
      python,
      [script, join(REPO_ROOT, 'schemas', 'avro')],
      { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`avro_decode.py failed: ${stderr}`, { cause: error }));
        else resolve(JSON.parse(stdout) as FastavroView);
      },
    );
    child.stdin?.end(input);
  });
}

/** The value as JSON would carry it from Python: bytes as hex. */
function asPython(value: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('hex') : v]),
  );
}

/** Integers (longs, instants) equal; other numbers within float32 rounding; the rest equal. */
function assertClose(actual: unknown, expected: unknown, path: string): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const tolerance = Number.isInteger(expected) ? 0 : Math.abs(expected) * 2 ** -23;
    assert.ok(Math.abs(actual - expected) <= tolerance, `${path}: ${actual} against ${expected}`);
    return;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    assert.equal(actual.length, expected.length, `${path}: length`);
    expected.forEach((e, i) => assertClose(actual[i], e, `${path}[${i}]`));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    assert.ok(actual !== null && typeof actual === 'object', `${path}: not an object`);
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${path}: fields`);
    for (const [k, e] of Object.entries(expected)) {
      assertClose((actual as Record<string, unknown>)[k], e, `${path}.${k}`);
    }
    return;
  }
  assert.equal(actual, expected, path);
}

describe('Avro messages read by fastavro', () => {
  it('decodes one message of every schema as we encoded it, with its names', async (t) => {
    if (!python) {
      t.skip(SKIP_REASON);
      return;
    }
    const values = [...NAMES.map((n) => samples()[n]), ...NAMES.map((n) => nullSamples()[n])];
    const names = [...NAMES, ...NAMES];
    const messages = names.map((name, i) => registry.encode(name, values[i] as never));

    const view = await decodeWithFastavro(messages);

    assert.equal(view.fastavro, '1.13.1');
    for (const name of NAMES) {
      const fingerprint = view.schemas[`iomt.${name}`];
      assert.ok(fingerprint, `fastavro lists iomt.${name}`);
      assert.equal(fingerprint.canonical, registry.canonicalForm(name), `${name} canonical form`);
      assert.equal(
        BigInt(`0x${Buffer.from(fingerprint.fingerprint, 'hex').reverse().toString('hex')}`),
        registry.fingerprint(name),
        `${name} fingerprint`,
      );
    }

    assert.equal(view.messages.length, messages.length);
    view.messages.forEach((message, i) => {
      const name = names[i]!;
      const value = values[i]!;
      assert.equal(message.error, undefined, `${name}: ${message.error}`);
      assert.equal(message.schema, `iomt.${name}`);
      assertClose(message.value, asPython(value), name);

      if ('layout' in value) {
        const excluded = 'excludedFeatures' in value ? value.excludedFeatures : [];
        assert.deepEqual(message.names?.features, featureNames(value.layout, excluded), name);
      }
      if ('granularity' in value) {
        assert.deepEqual(message.names?.classes, classNames(value.granularity), name);
      }
    });
  });

  it('refuses a bad marker, an unknown fingerprint and trailing bytes, as we do', async (t) => {
    if (!python) {
      t.skip(SKIP_REASON);
      return;
    }
    const good = registry.encode('RawFlowRecord', samples().RawFlowRecord);
    const unknown = Buffer.from(good);
    unknown[5]! ^= 1;
    const messages = [
      Buffer.concat([Buffer.of(0xc3, 0x02), good.subarray(2)]),
      unknown,
      Buffer.concat([good, Buffer.of(0)]),
    ];

    const view = await decodeWithFastavro(messages);

    assert.deepEqual(
      view.messages.map((m) => m.error?.replace(/ .*/, '')),
      ['marker', 'fingerprint', 'iomt.RawFlowRecord:'],
    );
    for (const message of messages) assert.equal(registry.decode(message).ok, false);
  });
});
