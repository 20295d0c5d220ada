import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import avro from 'avsc';

import { IomtError, InvalidInputError } from '../errors.js';
import { compileBodyCheck } from './body-check.js';
import type { BodyCheck } from './body-check.js';
import { crc64Avro } from './fingerprint.js';
import { NAMESPACE, SCHEMA_FILES } from './messages.js';
import type { AvroValues, SchemaName } from './messages.js';
import { HEADER_SIZE, readHeader, singleObjectHeader } from './single-object.js';
import type { DecodeFailure } from './single-object.js';

/** A message decoded: the schema its fingerprint named, and its value. */
export interface DecodedMessage<K extends SchemaName = SchemaName> {
  ok: true;
  schemaName: K;
  /**
   * The value, as `AvroValues[K]` describes it. Records come back as instances of avsc's
   * generated record classes: their own fields are plain data, their prototype is not
   * `Object.prototype` (spread one to compare it with a literal).
   */
  value: AvroValues[K];
}

/** A decoded message of any of the registry's schemas, narrowed by `schemaName`. */
export type AnyDecodedMessage = { [K in SchemaName]: DecodedMessage<K> }[SchemaName];

/** Options of `loadAvroRegistry`. */
export interface AvroRegistryOptions {
  /**
   * The folder holding the `.avsc` files. Default: `findSchemaDir()`, the repository's
   * `schemas/avro/` found from this module in the source tree and in the compiled `dist/` tree.
   */
  dir?: string;
}

interface Entry {
  name: SchemaName;
  type: avro.Type;
  schema: unknown;
  canonical: string;
  fingerprint: bigint;
  header: Buffer;
  check: BodyCheck;
}

// Typed loosely at the boundary: avsc's typings do not export their schema type.
type AvscSchema = Parameters<typeof avro.Type.forSchema>[0];

const SCHEMA_NAMES = Object.keys(SCHEMA_FILES) as SchemaName[];

/**
 * The folder of the `.avsc` files: the nearest `schemas/avro/` holding them, looking from `from`
 * (default: this module's folder) upwards. The compiler copies no `.avsc` into `dist/`, so from
 * `dist/schemas/avro/` the walk goes on to the repository root and finds the source files: one
 * copy of each contract, whichever tree runs.
 *
 * @throws IomtError (code `IO`) when no folder above holds them.
 */
export function findSchemaDir(from = dirname(fileURLToPath(import.meta.url))): string {
  const probe = SCHEMA_FILES.RawFlowRecord;
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'schemas', 'avro');
    if (existsSync(join(candidate, probe))) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new IomtError({
    code: 'IO',
    message: `no schemas/avro/${probe} in ${from} or any folder above it`,
    context: { file: from },
  });
}

/**
 * Loads every project schema from its `.avsc` file into a registry.
 *
 * @throws IomtError (code `IO`) naming the file that is missing, is not JSON, is not a valid
 *   Avro schema, or does not define the record it is named after.
 */
export async function loadAvroRegistry(options: AvroRegistryOptions = {}): Promise<AvroRegistry> {
  const dir = options.dir ?? findSchemaDir();
  const schemas = {} as Record<SchemaName, unknown>;
  for (const name of SCHEMA_NAMES) {
    const file = join(dir, SCHEMA_FILES[name]);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      throw new IomtError({ code: 'IO', message: `cannot read ${file}`, cause, context: { file } });
    }
    try {
      schemas[name] = JSON.parse(text) as unknown;
    } catch (cause) {
      throw new IomtError({ code: 'IO', message: `${file} is not JSON`, cause, context: { file } });
    }
  }
  return AvroRegistry.fromSchemas(schemas, dir);
}

/**
 * The project's Avro schemas, and the single-object codec over them: `encode` frames a value
 * with its schema's fingerprint, `decode` finds the schema of any message by its fingerprint.
 * Decoding never throws: a message that cannot be read is a `DecodeFailure` value, so a consumer
 * can send it to the dead-letter topic and go on.
 *
 * Schema evolution is out of scope: a message decodes only with the very schema that wrote it.
 * Any change to an `.avsc` file that reaches its Parsing Canonical Form changes its fingerprint,
 * and messages written before it become `AVRO_UNKNOWN_SCHEMA`; docs and attributes can change
 * freely.
 */
export class AvroRegistry {
  private readonly entries = new Map<SchemaName, Entry>();
  private readonly byFingerprint = new Map<bigint, Entry>();
  // avsc writes into a caller's buffer, so each message needs one allocation: its own.
  private scratch = Buffer.alloc(64 * 1024);

  private constructor(
    schemas: Readonly<Record<SchemaName, unknown>>,
    /** The folder the schemas were read from, when they were. */
    readonly dir: string | undefined,
  ) {
    for (const name of SCHEMA_NAMES) {
      const entry = compileEntry(name, schemas[name], dir);
      const clash = this.byFingerprint.get(entry.fingerprint);
      if (clash) {
        throw schemaError(dir, name, `has the fingerprint of ${clash.name}`);
      }
      this.entries.set(name, entry);
      this.byFingerprint.set(entry.fingerprint, entry);
    }
  }

  /**
   * A registry of schemas given as parsed JSON, one per schema name: for tests and tools that
   * hold the schemas already. `dir` only labels errors.
   *
   * @throws IomtError (code `IO`) as `loadAvroRegistry`.
   */
  static fromSchemas(schemas: Readonly<Record<SchemaName, unknown>>, dir?: string): AvroRegistry {
    return new AvroRegistry(schemas, dir);
  }

  /** The schema names, in the order of `SCHEMA_FILES`. */
  get schemaNames(): readonly SchemaName[] {
    return SCHEMA_NAMES;
  }

  /** The schema as its `.avsc` file gives it, with docs and attributes. */
  schema(name: SchemaName): unknown {
    return this.entry(name).schema;
  }

  /** The schema's Parsing Canonical Form: what the fingerprint is computed over. */
  canonicalForm(name: SchemaName): string {
    return this.entry(name).canonical;
  }

  /** The schema's CRC-64-AVRO fingerprint, unsigned. */
  fingerprint(name: SchemaName): bigint {
    return this.entry(name).fingerprint;
  }

  /**
   * Encodes `value` as a single-object message of schema `name`.
   *
   * @throws InvalidInputError (code `MALFORMED_ROW`) naming the fields whose values do not fit
   *   the schema: a caller's bug, not an outcome of the data.
   */
  encode<K extends SchemaName>(name: K, value: AvroValues[K]): Buffer {
    const entry = this.entry(name);
    try {
      let end = entry.type.encode(value, this.scratch, HEADER_SIZE);
      if (end < 0) {
        // avsc answers how many bytes were missing; grow once to fit them.
        this.scratch = Buffer.alloc(2 * (this.scratch.length - end));
        end = entry.type.encode(value, this.scratch, HEADER_SIZE);
      }

      const out = Buffer.allocUnsafe(end);
      entry.header.copy(out, 0);
      this.scratch.copy(out, HEADER_SIZE, HEADER_SIZE, end);
      return out;
    } catch (cause) {
      throw invalidValue(entry, value, cause);
    }
  }

  /** Decodes a single-object message of any of the registry's schemas. Never throws. */
  decode(bytes: Uint8Array): AnyDecodedMessage | DecodeFailure {
    const fingerprint = readHeader(bytes);
    if (typeof fingerprint !== 'bigint') return fingerprint;

    const entry = this.byFingerprint.get(fingerprint);
    if (!entry) return this.unknown(bytes);
    return decodeBody(entry, bytes) as AnyDecodedMessage | DecodeFailure;
  }

  /**
   * Decodes a message that must be of schema `name`; one of another known schema is an
   * `AVRO_WRONG_SCHEMA` failure naming it. Never throws.
   */
  decodeAs<K extends SchemaName>(name: K, bytes: Uint8Array): DecodedMessage<K> | DecodeFailure {
    const fingerprint = readHeader(bytes);
    if (typeof fingerprint !== 'bigint') return fingerprint;

    const entry = this.entry(name);
    if (fingerprint === entry.fingerprint) return decodeBody(entry, bytes) as DecodedMessage<K>;
    const other = this.byFingerprint.get(fingerprint);
    if (!other) return this.unknown(bytes);
    return {
      ok: false,
      code: 'AVRO_WRONG_SCHEMA',
      message: `a ${other.name} message where a ${name} was expected`,
      fingerprint: fingerprintHex(bytes),
      schemaName: other.name,
    };
  }

  private entry(name: SchemaName): Entry {
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`no Avro schema named ${String(name)}`);
    return entry;
  }

  private unknown(bytes: Uint8Array): DecodeFailure {
    const fingerprint = fingerprintHex(bytes);
    return {
      ok: false,
      code: 'AVRO_UNKNOWN_SCHEMA',
      message: `fingerprint ${fingerprint} is of none of ${SCHEMA_NAMES.join(', ')}`,
      fingerprint,
    };
  }
}

function compileEntry(name: SchemaName, schema: unknown, dir: string | undefined): Entry {
  let type: avro.Type;
  try {
    // Unions stay unwrapped (`null` or the value), records get no methods: plain data.
    type = avro.Type.forSchema(schema as AvscSchema, {
      wrapUnions: false,
      omitRecordMethods: true,
    });
  } catch (cause) {
    throw schemaError(dir, name, 'is not a valid Avro schema', cause);
  }
  if (type.typeName !== 'record' || type.name !== `${NAMESPACE}.${name}`) {
    throw schemaError(dir, name, `defines ${type.name ?? type.typeName}, not ${NAMESPACE}.${name}`);
  }

  // avsc's schema() without exportAttrs is the spec's Parsing Canonical Form.
  const canonicalSchema = type.schema();
  const canonical = JSON.stringify(canonicalSchema);
  const fingerprint = crc64Avro(canonical);
  return {
    name,
    type,
    schema,
    canonical,
    fingerprint,
    header: singleObjectHeader(fingerprint),
    check: compileBodyCheck(canonicalSchema),
  };
}

function decodeBody(entry: Entry, bytes: Uint8Array): DecodedMessage | DecodeFailure {
  const failure = (code: DecodeFailure['code'], message: string): DecodeFailure => ({
    ok: false,
    code,
    message: `${entry.name}: ${message}`,
    fingerprint: fingerprintHex(bytes),
    schemaName: entry.name,
  });

  // The bounds check first: avsc would loop over a corrupted count (see body-check.ts).
  const end = entry.check(bytes, HEADER_SIZE);
  if (typeof end !== 'number') {
    return failure(end.kind === 'truncated' ? 'AVRO_TRUNCATED' : 'AVRO_INVALID_BODY', end.reason);
  }
  // A single-object message is exactly one value (spec, "Single object encoding").
  if (end !== bytes.length) {
    const left = bytes.length - end;
    return failure('AVRO_TRAILING_BYTES', `${left} byte${left === 1 ? '' : 's'} after the value`);
  }

  const buffer = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  try {
    const decoded = entry.type.decode(buffer, HEADER_SIZE);
    const value: unknown = decoded.value;
    if (decoded.offset !== bytes.length) {
      return failure('AVRO_TRUNCATED', 'the body ends inside a value');
    }
    return { ok: true, schemaName: entry.name, value: value as AvroValues[SchemaName] };
  } catch (cause) {
    return failure('AVRO_INVALID_BODY', cause instanceof Error ? cause.message : String(cause));
  }
}

/** The fingerprint of a message's header as hex, in message byte order (as fastavro prints it). */
function fingerprintHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.subarray(2, HEADER_SIZE)).toString('hex');
}

function invalidValue(entry: Entry, value: unknown, cause: unknown): InvalidInputError {
  const paths: string[] = [];
  entry.type.isValid(value, { errorHook: (path) => paths.push(path.join('.') || '(value)') });
  const where = paths.length > 0 ? ` at ${paths.join(', ')}` : '';
  return new InvalidInputError({
    code: 'MALFORMED_ROW',
    message: `${entry.name}: the value does not fit the schema${where}`,
    cause,
    context: { schema: entry.name, fields: paths },
  });
}

function schemaError(
  dir: string | undefined,
  name: SchemaName,
  problem: string,
  cause?: unknown,
): IomtError {
  const file = dir ? join(dir, SCHEMA_FILES[name]) : SCHEMA_FILES[name];
  return new IomtError({ code: 'IO', message: `${file} ${problem}`, cause, context: { file } });
}
