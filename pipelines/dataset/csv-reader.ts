import { createReadStream } from 'node:fs';
import { basename } from 'node:path';

import { parse } from 'csv-parse';

import { InvalidInputError } from '../../schemas/errors.js';
import { matchHeader, type HeaderMatch } from '../../schemas/layouts.js';
import { parseField, type MissingValuePolicy } from './field-parser.js';
import type { Rejection } from './rejections.js';

/** Validated flow records of one capture file, row-major in the layout's column order. */
export interface CsvChunk {
  rows: number;
  /** `rows * columns` values, row after row. */
  values: Float64Array;
  /** 0-based position of each row among the file's data rows (rejected rows count too). */
  seq: Uint32Array;
}

export interface CaptureReadOptions {
  /** Empty or NaN fields: reject the row (default) or read them as 0. */
  missing?: MissingValuePolicy;
  /** Rows per yielded chunk; default 8192. */
  chunkRows?: number;
  /** Receives every rejected row; the reader never drops a row without calling it. */
  onRejection: (rejection: Rejection) => void;
  /** Receives the number of bytes read so far, for progress bars. */
  onBytes?: (bytes: number) => void;
}

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

function parser(toLine?: number) {
  return parse({
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
    ...(toLine ? { to_line: toLine } : {}),
  });
}

/** Reads and matches the header of a capture file without reading the rest. */
export async function readHeader(path: string): Promise<HeaderMatch> {
  const stream = createReadStream(path).pipe(parser(1));
  for await (const parsed of stream as AsyncIterable<ParsedRecord>) {
    return matchHeader(parsed.record, path);
  }
  throw new InvalidInputError({
    code: 'LAYOUT_UNKNOWN',
    message: `${basename(path)} is empty: no header line`,
    context: { file: path },
  });
}

/**
 * Streams the validated flow records of one capture file. The header decides the layout (an
 * unknown header throws before any row is read); then every row is checked for field count
 * and for finite numeric fields, and each bad row goes to `onRejection` with its line.
 */
export async function* readCaptureRows(
  path: string,
  options: CaptureReadOptions,
): AsyncGenerator<CsvChunk, void, undefined> {
  const chunkRows = options.chunkRows ?? 8192;
  const missing = options.missing ?? 'reject';
  const source = createReadStream(path);
  if (options.onBytes) {
    const onBytes = options.onBytes;
    source.on('data', (data) => onBytes(data.length));
  }

  let match: HeaderMatch | undefined;
  let width = 0;
  let values = new Float64Array(0);
  let seq = new Uint32Array(0);
  let rows = 0;
  let dataRow = 0;

  for await (const parsed of source.pipe(parser()) as AsyncIterable<ParsedRecord>) {
    if (!match) {
      match = matchHeader(parsed.record, path);
      width = match.layout.columns.length;
      values = new Float64Array(chunkRows * width);
      seq = new Uint32Array(chunkRows);
      continue;
    }

    const rejection = fillRow(parsed, match, missing, values, rows * width);
    if (rejection) {
      options.onRejection({ file: path, line: parsed.info.lines, ...rejection });
    } else {
      seq[rows++] = dataRow;
    }
    dataRow++;

    if (rows === chunkRows) {
      yield { rows, values, seq };
      values = new Float64Array(chunkRows * width);
      seq = new Uint32Array(chunkRows);
      rows = 0;
    }
  }

  if (!match) {
    throw new InvalidInputError({
      code: 'LAYOUT_UNKNOWN',
      message: `${basename(path)} is empty: no header line`,
      context: { file: path },
    });
  }
  if (rows > 0)
    yield { rows, values: values.subarray(0, rows * width), seq: seq.subarray(0, rows) };
}

type RowProblem = Omit<Rejection, 'file' | 'line'>;

function fillRow(
  parsed: ParsedRecord,
  match: HeaderMatch,
  missing: MissingValuePolicy,
  target: Float64Array,
  offset: number,
): RowProblem | undefined {
  const { record } = parsed;
  const { columns } = match.layout;
  if (record.length !== match.sourceIndex.length) {
    return {
      code: 'FIELD_COUNT',
      reason: `expected ${match.sourceIndex.length} fields, found ${record.length}`,
    };
  }

  for (let c = 0; c < columns.length; c++) {
    const value = parseField(record[match.sourceIndex[c] ?? -1] ?? '');
    if (typeof value === 'number') {
      target[offset + c] = value;
    } else if (value.code === 'MISSING_VALUE' && missing === 'zero') {
      target[offset + c] = 0;
    } else {
      return { code: value.code, reason: `${columns[c]}: ${value.reason}`, column: columns[c] };
    }
  }
  return undefined;
}
