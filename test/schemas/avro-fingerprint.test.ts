import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  crc64Avro,
  parsingCanonicalForm,
  schemaFingerprint,
} from '../../schemas/avro/fingerprint.js';

/**
 * Known answers from Apache Avro's share/test/data/schema-tests.txt: an input schema, its
 * Parsing Canonical Form and its CRC-64-AVRO fingerprint as a signed Java long (Avro's Java
 * tests check these values against a direct implementation of the algorithm).
 */
const AVRO_TESTS: [input: string, canonical: string, fingerprint: bigint][] = [
  ['"null"', '"null"', 7195948357588979594n],
  ['"boolean"', '"boolean"', -6970731678124411036n],
  ['"int"', '"int"', 8247732601305521295n],
  ['"long"', '"long"', -3434872931120570953n],
  ['"float"', '"float"', 5583340709985441680n],
  ['"double"', '"double"', -8181574048448539266n],
  ['"bytes"', '"bytes"', 5746618253357095269n],
  ['"string"', '"string"', -8142146995180207161n],
  ['[  ]', '[]', -1241056759729112623n],
  ['[ "int"  ]', '["int"]', -5232228896498058493n],
  ['[ "int" , {"type":"boolean"} ]', '["int","boolean"]', 5392556393470105090n],
  [
    '{"fields":[], "type":"record", "name":"foo"}',
    '{"name":"foo","type":"record","fields":[]}',
    -4824392279771201922n,
  ],
  [
    '{"fields":[], "type":"record", "name":"foo", "namespace":"x.y"}',
    '{"name":"x.y.foo","type":"record","fields":[]}',
    5916914534497305771n,
  ],
  [
    '{"fields":[], "type":"record", "name":"a.b.foo", "namespace":"x.y"}',
    '{"name":"a.b.foo","type":"record","fields":[]}',
    -4616218487480524110n,
  ],
  [
    '{"fields":[], "type":"record", "name":"foo", "doc":"foo", "aliases":["foo","bar"]}',
    '{"name":"foo","type":"record","fields":[]}',
    -4824392279771201922n,
  ],
  [
    '{"fields":[{"type":{"type":"boolean"}, "name":"f1"}], "type":"record", "name":"foo"}',
    '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"}]}',
    7843277075252814651n,
  ],
  // Avro's file gives f1 the default "true", a string; avsc checks defaults, so a boolean here:
  // the canonical form drops defaults either way.
  [
    '{ "fields":[{"type":"boolean", "aliases":[], "name":"f1", "default":true},' +
      '{"order":"descending","name":"f2","doc":"Hello","type":"int"}], "type":"record", "name":"foo"}',
    '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},{"name":"f2","type":"int"}]}',
    -4860222112080293046n,
  ],
  [
    '{"type":"enum", "name":"foo", "symbols":["A1"]}',
    '{"name":"foo","type":"enum","symbols":["A1"]}',
    -6342190197741309591n,
  ],
  [
    '{"namespace":"x.y.z", "type":"enum", "name":"foo", "doc":"foo bar", "symbols":["A1", "A2"]}',
    '{"name":"x.y.z.foo","type":"enum","symbols":["A1","A2"]}',
    -4448647247586288245n,
  ],
  [
    '{"name":"foo","type":"fixed","size":15}',
    '{"name":"foo","type":"fixed","size":15}',
    1756455273707447556n,
  ],
  [
    '{"namespace":"x.y.z", "type":"fixed", "name":"foo", "doc":"foo bar", "size":32}',
    '{"name":"x.y.z.foo","type":"fixed","size":32}',
    -3064184465700546786n,
  ],
  [
    '{ "items":{"type":"null"}, "type":"array"}',
    '{"type":"array","items":"null"}',
    -589620603366471059n,
  ],
  ['{ "values":"string", "type":"map"}', '{"type":"map","values":"string"}', -8732877298790414990n],
  [
    '{"name":"PigValue","type":"record",' +
      '"fields":[{"name":"value", "type":["null", "int", "long", "PigValue"]}]}',
    '{"name":"PigValue","type":"record","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}',
    -1759257747318642341n,
  ],
];

describe('CRC-64-AVRO fingerprints', () => {
  it('is the initial value EMPTY for no bytes', () => {
    assert.equal(crc64Avro(new Uint8Array(0)), 0xc15d213aa4d7a795n);
  });

  it("gives Avro's known fingerprint of every canonical form of its test data", () => {
    for (const [, canonical, expected] of AVRO_TESTS) {
      assert.equal(BigInt.asIntN(64, crc64Avro(canonical)), expected, canonical);
    }
  });

  it('reads a string as its UTF-8 bytes', () => {
    assert.equal(crc64Avro('"int"'), crc64Avro(Buffer.from('"int"')));
    assert.equal(crc64Avro('é'), crc64Avro(Uint8Array.of(0xc3, 0xa9)));
  });

  it('is unsigned: a negative Java long comes out above 2^63', () => {
    const fp = crc64Avro('"string"');
    assert.ok(fp >= 1n << 63n);
    assert.ok(fp < 1n << 64n);
  });
});

describe('Parsing Canonical Form', () => {
  it("turns every input of Avro's test data into its canonical form", () => {
    // avsc refuses the empty union of test 016: valid JSON, but no value can be written to it.
    for (const [input, canonical] of AVRO_TESTS.filter(([input]) => input !== '[  ]')) {
      assert.equal(parsingCanonicalForm(JSON.parse(input)), canonical, input);
    }
  });

  it('drops logical types, docs and attributes, so they do not change the fingerprint', () => {
    const plain = {
      type: 'record',
      name: 'r',
      namespace: 'iomt',
      fields: [{ name: 't', type: 'long' }],
    };
    const annotated = {
      ...plain,
      doc: 'a record',
      fields: [
        { name: 't', type: { type: 'long', logicalType: 'timestamp-millis' }, doc: 'an instant' },
      ],
      columns: { L39: ['a'] },
    };
    assert.equal(
      parsingCanonicalForm(annotated),
      '{"name":"iomt.r","type":"record","fields":[{"name":"t","type":"long"}]}',
    );
    assert.equal(schemaFingerprint(annotated), schemaFingerprint(plain));
  });
});
