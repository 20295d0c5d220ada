import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { compileBodyCheck } from '../../schemas/avro/body-check.js';
import { SCHEMA_FILES } from '../../schemas/avro/messages.js';
import type { SchemaName } from '../../schemas/avro/messages.js';
import { loadAvroRegistry } from '../../schemas/avro/registry.js';
import { HEADER_SIZE } from '../../schemas/avro/single-object.js';
import type { DecodeFailure, DecodeFailureCode } from '../../schemas/avro/single-object.js';
import { samples } from '../helpers/avro-samples.js';

const registry = await loadAvroRegistry();
const NAMES = Object.keys(SCHEMA_FILES) as SchemaName[];

function encoded(name: SchemaName): Buffer {
  return registry.encode(name, samples()[name]);
}

function assertFailure(result: unknown, code: DecodeFailureCode): DecodeFailure {
  const failure = result as DecodeFailure;
  assert.equal(failure.ok, false, `expected ${code}, got a decoded message`);
  assert.equal(failure.code, code, failure.message);
  assert.ok(failure.message.length > 0);
  return failure;
}

/** A zigzag varint, as Avro writes ints and longs (here for counts well below 2^53). */
function varint(value: number): number[] {
  let n = value < 0 ? -2 * value - 1 : 2 * value;
  const bytes: number[] = [];
  while (n >= 0x80) {
    bytes.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  bytes.push(n);
  return bytes;
}

/** A RawFlowRecord message built by hand, so that its body can hold what no encoder writes. */
function rawMessage(parts: { layout?: number[]; values?: number[]; label?: number[] }): Buffer {
  const header = encoded('RawFlowRecord').subarray(0, HEADER_SIZE);
  const capture = [...varint(1), 0x41];
  const body = [
    ...capture,
    ...varint(5),
    ...(parts.layout ?? varint(1)),
    // excludedFeatures: an empty array.
    ...varint(0),
    ...(parts.values ?? [...varint(1), 0, 0, 0x80, 0x3f, 0]),
    ...(parts.label ?? varint(0)),
    ...varint(1_733_218_200_123),
  ];
  return Buffer.concat([header, Buffer.from(body)]);
}

describe('decoding failures are values', () => {
  it('reads a hand-built message, so the failures below differ from it in one place only', () => {
    const decoded = registry.decode(rawMessage({}));
    assert.ok(decoded.ok, decoded.ok ? '' : decoded.message);
    assert.deepEqual(
      { ...decoded.value },
      {
        capture: 'A',
        seq: 5,
        layout: 'L39',
        excludedFeatures: [],
        values: [1],
        label19: null,
        producedAt: 1_733_218_200_123,
      },
    );
  });

  it('reports a message shorter than the header', () => {
    for (const length of [0, 1, 2, HEADER_SIZE - 1]) {
      const failure = assertFailure(registry.decode(Buffer.alloc(length)), 'AVRO_TOO_SHORT');
      assert.match(failure.message, new RegExp(`^${length} bytes`));
    }
  });

  it('reports a wrong marker, such as a JSON message or a Confluent wire-format one', () => {
    const json = Buffer.from('{"capture":"Benign_test","seq":0}');
    assertFailure(registry.decode(json), 'AVRO_BAD_MARKER');
    const confluent = Buffer.concat([Buffer.of(0, 0, 0, 0, 7), encoded('RawFlowRecord')]);
    const failure = assertFailure(registry.decode(confluent), 'AVRO_BAD_MARKER');
    assert.match(failure.message, /starts with 0000/);
  });

  it('reports a fingerprint of no known schema, with the fingerprint', () => {
    const bytes = Buffer.from(encoded('ScoredEvent'));
    bytes[9]! ^= 0x40;
    const failure = assertFailure(registry.decode(bytes), 'AVRO_UNKNOWN_SCHEMA');
    assert.equal(failure.fingerprint, bytes.subarray(2, 10).toString('hex'));
    assert.equal(failure.schemaName, undefined);
    assertFailure(registry.decodeAs('ScoredEvent', bytes), 'AVRO_UNKNOWN_SCHEMA');
  });

  it('reports every truncation of every schema, at every length, without throwing', () => {
    for (const name of NAMES) {
      const bytes = encoded(name);
      for (let length = HEADER_SIZE; length < bytes.length; length++) {
        const failure = assertFailure(registry.decode(bytes.subarray(0, length)), 'AVRO_TRUNCATED');
        assert.equal(failure.schemaName, name);
      }
    }
  });

  it('reports trailing bytes after the value', () => {
    for (const name of NAMES) {
      const bytes = Buffer.concat([encoded(name), Buffer.of(0)]);
      const failure = assertFailure(registry.decode(bytes), 'AVRO_TRAILING_BYTES');
      assert.equal(failure.message, `${name}: 1 byte after the value`);
    }
  });

  it('reports an enum or union index out of range, and a boolean neither 0 nor 1', () => {
    const layout = assertFailure(
      registry.decode(rawMessage({ layout: varint(2) })),
      'AVRO_INVALID_BODY',
    );
    assert.match(layout.message, /enum index 2 is not below 2/);
    assertFailure(registry.decode(rawMessage({ layout: varint(-1) })), 'AVRO_INVALID_BODY');
    const label = assertFailure(
      registry.decode(rawMessage({ label: varint(2) })),
      'AVRO_INVALID_BODY',
    );
    assert.match(label.message, /union branch index 2/);

    const event = encoded('ScoredEvent');
    const sample = samples().ScoredEvent;
    // unknownAttack follows reconstructionError, whose 4 bytes follow the three float arrays.
    const flag = registry.encode('ScoredEvent', { ...sample, unknownAttack: true });
    const at = [...flag].findIndex((b, i) => b !== event[i]);
    const bad = Buffer.from(flag);
    bad[at] = 2;
    assertFailure(registry.decode(bad), 'AVRO_INVALID_BODY');
  });

  it('refuses a corrupted array count at once instead of reading 2^50 items', () => {
    const huge = [...varint(2 ** 50), 0, 0, 0x80, 0x3f, 0];
    const started = performance.now();
    const failure = assertFailure(registry.decode(rawMessage({ values: huge })), 'AVRO_TRUNCATED');
    assert.ok(performance.now() - started < 100);
    assert.match(failure.message, /array block of 1125899906842624 items/);

    const negativeSize = [...varint(-1), ...varint(-4), 0, 0, 0x80, 0x3f, 0];
    assertFailure(registry.decode(rawMessage({ values: negativeSize })), 'AVRO_INVALID_BODY');
  });

  it('reads an array written in blocks with byte sizes, as other writers may', () => {
    // Two blocks: one item with its size (count -1, 4 bytes), then two items, then the end.
    const values = [...varint(-1), ...varint(4), 0, 0, 0x80, 0x3f, ...varint(2)];
    values.push(0, 0, 0, 0x40, 0, 0, 0x40, 0x40, 0);
    const decoded = registry.decode(rawMessage({ values }));
    assert.ok(decoded.ok, decoded.ok ? '' : decoded.message);
    assert.deepEqual((decoded.value as { values: number[] }).values, [1, 2, 3]);
  });

  it('reports a string whose length is negative or past the end', () => {
    const header = encoded('RawFlowRecord').subarray(0, HEADER_SIZE);
    const negative = Buffer.concat([header, Buffer.from(varint(-3))]);
    assertFailure(registry.decode(negative), 'AVRO_INVALID_BODY');
    const long = Buffer.concat([header, Buffer.from([...varint(1000), 0x41])]);
    assertFailure(registry.decode(long), 'AVRO_TRUNCATED');
    const endless = Buffer.concat([header, Buffer.alloc(11, 0xff)]);
    assertFailure(registry.decode(endless), 'AVRO_INVALID_BODY');
  });

  it('tells decodeAs a message of another schema, naming it', () => {
    const failure = assertFailure(
      registry.decodeAs('ScoredEvent', encoded('FlowWindow')),
      'AVRO_WRONG_SCHEMA',
    );
    assert.equal(failure.schemaName, 'FlowWindow');
    assert.equal(failure.message, 'a FlowWindow message where a ScoredEvent was expected');
    assertFailure(registry.decodeAs('ScoredEvent', Buffer.of(1, 2)), 'AVRO_TOO_SHORT');
  });

  it('never throws on random bytes after a valid header', () => {
    // A fixed linear congruential sequence: the same bytes on every run.
    let state = 12345;
    const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 24;
    for (const name of NAMES) {
      const header = encoded(name).subarray(0, HEADER_SIZE);
      for (let trial = 0; trial < 200; trial++) {
        const body = Buffer.from(Array.from({ length: trial % 60 }, next));
        const result = registry.decode(Buffer.concat([header, body]));
        if (!result.ok) assert.match(result.code, /^AVRO_(TRUNCATED|TRAILING_BYTES|INVALID_BODY)$/);
      }
    }
  });
});

describe('body bounds check', () => {
  it('walks maps, fixed and recursive records as well as the project schemas use', () => {
    const check = compileBodyCheck({
      name: 'Node',
      type: 'record',
      fields: [
        { name: 'tags', type: { type: 'map', values: 'int' } },
        { name: 'id', type: { name: 'Id', type: 'fixed', size: 2 } },
        { name: 'next', type: ['null', 'Node'] },
      ],
    });
    // tags {a: 1}, id 0102, next: a Node with no tags, id 0304 and next null.
    const bytes = Uint8Array.of(2, 2, 0x61, 2, 0, 1, 2, 2, 0, 3, 4, 0);
    assert.equal(check(bytes, 0), bytes.length);
    assert.deepEqual(check(bytes.subarray(0, 8), 0), {
      kind: 'truncated',
      reason: 'the body ends inside a number',
    });
  });

  it('refuses a schema that names an undefined type', () => {
    assert.throws(
      () => compileBodyCheck({ type: 'array', items: 'Missing' }),
      /unknown type Missing/,
    );
  });
});
