/**
 * Avro single-object encoding (specification 1.11, "Single object encoding"): the two marker
 * bytes C3 01, the 8-byte little-endian CRC-64-AVRO fingerprint of the writer schema's Parsing
 * Canonical Form, then the binary body. The fingerprint lets a consumer find the schema of a
 * message without a schema registry; the marker tells such a message from any other bytes.
 */

/** The two bytes every single-object message starts with. */
export const MARKER = Uint8Array.of(0xc3, 0x01);

/** Marker plus fingerprint: where the body starts. */
export const HEADER_SIZE = MARKER.length + 8;

/** Why a message could not be decoded; every code names one cause. */
export type DecodeFailureCode =
  /** Fewer bytes than the 10-byte header. */
  | 'AVRO_TOO_SHORT'
  /** The first two bytes are not C3 01: not a single-object message. */
  | 'AVRO_BAD_MARKER'
  /** The fingerprint is of no schema the registry knows. */
  | 'AVRO_UNKNOWN_SCHEMA'
  /** The body ends before the value its schema describes. */
  | 'AVRO_TRUNCATED'
  /** Bytes are left after the value. */
  | 'AVRO_TRAILING_BYTES'
  /** The body holds what no writer of the schema writes (an enum or union index out of range). */
  | 'AVRO_INVALID_BODY'
  /** A message of another schema than the one asked for (`decodeAs`). */
  | 'AVRO_WRONG_SCHEMA';

/** A message that could not be decoded, as a value: decoding never throws. */
export interface DecodeFailure {
  ok: false;
  code: DecodeFailureCode;
  message: string;
  /** The fingerprint read from the header, as 16 hex digits in message byte order. */
  fingerprint?: string;
  /** The schema the fingerprint named, where it named one. */
  schemaName?: string;
}

/** The 8 header bytes of a fingerprint: the unsigned 64-bit value, little-endian. */
export function fingerprintBytes(fingerprint: bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(fingerprint);
  return bytes;
}

/** The header of a single-object message of the schema with `fingerprint`. */
export function singleObjectHeader(fingerprint: bigint): Buffer {
  return Buffer.concat([MARKER, fingerprintBytes(fingerprint)]);
}

/** The fingerprint of a message's header, or the failure of a message without one. */
export function readHeader(bytes: Uint8Array): bigint | DecodeFailure {
  if (bytes.length < HEADER_SIZE) {
    return {
      ok: false,
      code: 'AVRO_TOO_SHORT',
      message: `${bytes.length} bytes, fewer than the ${HEADER_SIZE} of a single-object header`,
    };
  }
  if (bytes[0] !== MARKER[0] || bytes[1] !== MARKER[1]) {
    const found = Buffer.from(bytes.subarray(0, 2)).toString('hex');
    return {
      ok: false,
      code: 'AVRO_BAD_MARKER',
      message: `starts with ${found}, not the single-object marker c301`,
    };
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset + MARKER.length, 8);
  return view.getBigUint64(0, true);
}
