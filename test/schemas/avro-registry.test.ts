import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { IomtError, InvalidInputError } from '../../schemas/errors.js';
import { SCHEMA_FILES } from '../../schemas/avro/messages.js';
import type { SchemaName } from '../../schemas/avro/messages.js';
import { featureNames } from '../../schemas/avro/names.js';
import { AvroRegistry, findSchemaDir, loadAvroRegistry } from '../../schemas/avro/registry.js';
import { HEADER_SIZE } from '../../schemas/avro/single-object.js';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { fixtureRow, nullSamples, samples } from '../helpers/avro-samples.js';

const registry = await loadAvroRegistry();
const NAMES = Object.keys(SCHEMA_FILES) as SchemaName[];

/** Decodes a message that must decode, and returns its value as a plain object. */
function roundTrip<K extends SchemaName>(name: K, value: unknown): Record<string, unknown> {
  const bytes = registry.encode(name, value as never);
  const decoded = registry.decode(bytes);
  assert.ok(decoded.ok, decoded.ok ? '' : decoded.message);
  assert.equal(decoded.schemaName, name);
  return { ...(decoded.value as object) };
}

describe('Avro registry', () => {
  it('finds the .avsc files of the repository from the compiled module', () => {
    assert.equal(findSchemaDir(), join(REPO_ROOT, 'schemas', 'avro'));
    assert.equal(registry.dir, join(REPO_ROOT, 'schemas', 'avro'));
    // From the source folder too: the walk starts where the module is.
    assert.equal(findSchemaDir(join(REPO_ROOT, 'schemas', 'avro')), registry.dir);
  });

  it('refuses a folder without the schemas, naming where it looked', () => {
    assert.throws(
      () => findSchemaDir('/'),
      (e) => e instanceof IomtError && e.code === 'IO' && /raw-flow-record\.avsc/.test(e.message),
    );
  });

  it('loads every schema and gives each its own fingerprint', () => {
    assert.deepEqual([...registry.schemaNames], NAMES);
    const fingerprints = new Set(NAMES.map((n) => registry.fingerprint(n)));
    assert.equal(fingerprints.size, NAMES.length);
    for (const name of NAMES) {
      assert.match(registry.canonicalForm(name), new RegExp(`^\\{"name":"iomt\\.${name}"`));
    }
  });

  it('refuses a schema file that is not JSON or defines another record, naming it', async (t) => {
    const { dir, cleanup } = await tempDir('avro');
    t.after(cleanup);
    const source = registry.dir ?? '';
    await mkdir(dir, { recursive: true });
    for (const file of Object.values(SCHEMA_FILES)) {
      await writeFile(join(dir, file), await readFile(join(source, file)));
    }

    await writeFile(join(dir, SCHEMA_FILES.FlowWindow), '{"type":');
    await assert.rejects(
      loadAvroRegistry({ dir }),
      (e) => e instanceof IomtError && e.code === 'IO' && e.message.includes('flow-window.avsc'),
    );

    const other = { type: 'record', name: 'Other', namespace: 'iomt', fields: [] };
    await writeFile(join(dir, SCHEMA_FILES.FlowWindow), JSON.stringify(other));
    await assert.rejects(loadAvroRegistry({ dir }), /defines iomt\.Other, not iomt\.FlowWindow/);
  });

  it('frames each message as C3 01, the fingerprint little-endian, then the body', () => {
    const bytes = registry.encode('RawFlowRecord', samples().RawFlowRecord);
    assert.deepEqual([...bytes.subarray(0, 2)], [0xc3, 0x01]);
    assert.equal(bytes.readBigUInt64LE(2), registry.fingerprint('RawFlowRecord'));
    assert.ok(bytes.length > HEADER_SIZE);
  });

  for (const name of NAMES) {
    it(`round-trips a ${name} with realistic values, and with its nullable fields null`, () => {
      const sample = samples()[name];
      assert.deepEqual(roundTrip(name, sample), sample);
      const nulls = nullSamples()[name];
      assert.ok(nulls);
      assert.deepEqual(roundTrip(name, nulls), nulls);
    });
  }

  it('carries a real 39-column fixture row, every value as its float32 and named by layout', () => {
    const { header, row } = fixtureRow();
    const names = featureNames('L39');
    const values = names.map((n) => Number(row[header.indexOf(n)]));
    assert.equal(values.length, 39);
    // The CSV's doubles, such as Rate 122.25832121235086, come back as float32 values.
    const back = roundTrip('RawFlowRecord', { ...samples().RawFlowRecord, values });
    assert.deepEqual(
      back.values,
      values.map((v) => Math.fround(v)),
    );
    const rate = back.values[names.indexOf('Rate')];
    assert.equal(rate, Math.fround(122.25832121235086));
  });

  it('decodes a message given as a Uint8Array view into a larger buffer', () => {
    const bytes = registry.encode('ScoredEvent', samples().ScoredEvent);
    const larger = new Uint8Array(bytes.length + 16);
    larger.set(bytes, 8);
    const decoded = registry.decode(larger.subarray(8, 8 + bytes.length));
    assert.ok(decoded.ok);
    assert.deepEqual({ ...decoded.value }, samples().ScoredEvent);
  });

  it('encodes a message larger than its scratch buffer', () => {
    const window = samples().FlowWindow;
    const windowLength = 1_000;
    const steps = Array.from({ length: windowLength * window.stepWidth }, (_, i) =>
      Math.fround(i / 7),
    );
    const big = { ...window, windowLength, steps };
    const bytes = registry.encode('FlowWindow', big);
    // Twice the 64 KiB the registry starts with.
    assert.ok(bytes.length > 128 * 1024);
    assert.deepEqual(roundTrip('FlowWindow', big), big);
    // And the next small message is still framed right.
    assert.deepEqual(roundTrip('FlowWindow', window), window);
  });

  it('narrows decodeAs to the schema asked for', () => {
    const bytes = registry.encode('DeadLetter', samples().DeadLetter);
    const decoded = registry.decodeAs('DeadLetter', bytes);
    assert.ok(decoded.ok);
    assert.equal(decoded.value.partition, 3);
    assert.ok(Buffer.isBuffer(decoded.value.value));
  });

  it('refuses to encode a value that does not fit, naming its fields', () => {
    const bad = { ...samples().ScaledFlowRecord, seq: 1.5, values: new Float32Array(3) };
    assert.throws(
      () => registry.encode('ScaledFlowRecord', bad as never),
      (e) =>
        e instanceof InvalidInputError &&
        e.code === 'MALFORMED_ROW' &&
        e.message === 'ScaledFlowRecord: the value does not fit the schema at seq, values',
    );
    const missing = { ...samples().RawFlowRecord, layout: '39' };
    assert.throws(() => registry.encode('RawFlowRecord', missing as never), /layout/);
  });

  it('builds from schemas given as JSON, with the same fingerprints', () => {
    const schemas = {} as Record<SchemaName, unknown>;
    for (const name of NAMES) schemas[name] = registry.schema(name);
    const copy = AvroRegistry.fromSchemas(schemas);
    for (const name of NAMES) assert.equal(copy.fingerprint(name), registry.fingerprint(name));
    const bytes = copy.encode('RawFlowRecord', samples().RawFlowRecord);
    assert.ok(registry.decode(bytes).ok);
    assert.equal(copy.dir, undefined);
  });
});
