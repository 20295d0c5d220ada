import avro from 'avsc';

// CRC-64-AVRO, the Rabin fingerprint of the Avro specification ("Schema Fingerprints"): EMPTY is
// both the initial value and the polynomial. avsc 5.7.9 only offers the hashes of node:crypto
// (md5, sha256), so the 64-bit arithmetic is done here with BigInt, masked to 64 bits.
const EMPTY = 0xc15d213aa4d7a795n;
const MASK = 0xffffffffffffffffn;

const TABLE = buildTable();

function buildTable(): BigUint64Array {
  const table = new BigUint64Array(256);
  for (let i = 0; i < 256; i++) {
    let fp = BigInt(i);
    for (let j = 0; j < 8; j++) {
      // `EMPTY & -(fp & 1)` in the spec's Java: the polynomial where the low bit is set.
      fp = (fp >> 1n) ^ (fp & 1n ? EMPTY : 0n);
    }
    table[i] = fp;
  }
  return table;
}

/**
 * The CRC-64-AVRO fingerprint of `data` (a string is taken as its UTF-8 bytes), as an unsigned
 * 64-bit value. The Avro test data print it as a signed Java long: `BigInt.asIntN(64, fp)`.
 */
export function crc64Avro(data: Uint8Array | string): bigint {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fp = EMPTY;
  for (const byte of bytes) {
    fp = ((fp >> 8n) ^ TABLE[Number((fp ^ BigInt(byte)) & 0xffn)]!) & MASK;
  }
  return fp;
}

/**
 * The Parsing Canonical Form of a schema (Avro specification, "Parsing Canonical Form for
 * Schemas"): full names, no doc, aliases, defaults, logical types or other attributes, fields in
 * the order name, type, fields, symbols, items, values, size, and no whitespace. avsc's
 * `Type#schema()` without `exportAttrs` builds exactly that; the spec's own test vectors check it.
 */
export function parsingCanonicalForm(schema: unknown): string {
  return JSON.stringify(avro.Type.forSchema(schema as avro.Schema).schema());
}

/** The CRC-64-AVRO fingerprint of a schema's Parsing Canonical Form. */
export function schemaFingerprint(schema: unknown): bigint {
  return crc64Avro(parsingCanonicalForm(schema));
}
