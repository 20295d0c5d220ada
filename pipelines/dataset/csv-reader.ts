import { createReadStream } from 'node:fs';
import { basename } from 'node:path';

import Papa from 'papaparse';

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
  /** Receives the number of bytes read since the last call, for progress bars. */
  onBytes?: (bytes: number) => void;
}

type RowProblem = Omit<Rejection, 'file' | 'line'>;

function emptyFile(path: string): InvalidInputError {
  return new InvalidInputError({
    code: 'LAYOUT_UNKNOWN',
    message: `${basename(path)} is empty: no header line`,
    context: { file: path },
  });
}

// A blank line parses as one empty field; it is not a record, but it still counts as a line.
const isBlank = (record: readonly string[]) => record.length === 1 && record[0] === '';

/** Reads and matches the header of a capture file without reading the rest. */
export async function readHeader(path: string): Promise<HeaderMatch> {
  const stream = createReadStream(path, { encoding: 'utf8', end: 64 * 1024 - 1 });
  let text = '';
  for await (const chunk of stream as AsyncIterable<string>) {
    text += chunk;
    if (text.includes('\n')) break;
  }
  stream.destroy();
  const firstLine = text.split(/\r?\n/)[0] ?? '';
  if (firstLine.trim() === '') throw emptyFile(path);
  const parsed = Papa.parse<string[]>(firstLine, { delimiter: ',' });
  return matchHeader(parsed.data[0] ?? [], path);
}

/**
 * Streams the validated flow records of one capture file. The header decides the layout (an
 * unknown header throws before any row is read); then every row is checked for field count
 * and for finite numeric fields, and each bad row goes to `onRejection` with its line. Lines
 * are counted as the file's physical lines, which holds for the data set's files: no field
 * spans lines.
 */
export async function* readCaptureRows(
  path: string,
  options: CaptureReadOptions,
): AsyncGenerator<CsvChunk, void, undefined> {
  const chunkRows = options.chunkRows ?? 8192;
  const missing = options.missing ?? 'reject';
  const source = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 16 });
  let bytesSeen = 0;
  source.on('data', () => {
    options.onBytes?.(source.bytesRead - bytesSeen);
    bytesSeen = source.bytesRead;
  });

  // papaparse pushes rows to `step`; a full chunk pauses the parser (and with it the file
  // stream) until the consumer has taken it, so memory stays at one chunk or two.
  const ready: CsvChunk[] = [];
  let parser: Papa.Parser | undefined;
  let finished = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };

  let match: HeaderMatch | undefined;
  let width = 0;
  let chunk: CsvChunk = newChunk(0, 0);
  let line = 0;
  let dataRow = 0;

  const onRecord = (record: string[], errors: Papa.ParseError[], p: Papa.Parser) => {
    line++;
    if (isBlank(record)) return;
    if (!match) {
      match = matchHeader(record, path);
      width = match.layout.columns.length;
      chunk = newChunk(chunkRows, width);
      return;
    }

    const problem =
      errors.length > 0
        ? { code: 'MALFORMED_ROW' as const, reason: errors[0]?.message ?? 'malformed CSV row' }
        : fillRow(record, match, missing, chunk.values, chunk.rows * width);
    if (problem) options.onRejection({ file: path, line, ...problem });
    else chunk.seq[chunk.rows++] = dataRow;
    dataRow++;

    if (chunk.rows === chunkRows) {
      ready.push(chunk);
      chunk = newChunk(chunkRows, width);
      p.pause();
      notify();
    }
  };

  Papa.parse<string[]>(source as unknown as Papa.LocalFile, {
    delimiter: ',',
    skipEmptyLines: false,
    step: (results, p) => {
      parser = p;
      try {
        onRecord(results.data, results.errors, p);
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
        p.abort();
      }
    },
    complete: () => {
      if (match && chunk.rows > 0) ready.push(trim(chunk, width));
      finished = true;
      notify();
    },
    error: (error: Error) => {
      failure ??= error;
      finished = true;
      notify();
    },
  });

  try {
    for (;;) {
      const next = ready.shift();
      if (next) {
        yield next;
        if (ready.length === 0 && !finished) parser?.resume();
        continue;
      }
      if (failure) throw failure;
      if (finished) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    if (!finished) parser?.abort();
    source.destroy();
  }
  if (!match) throw emptyFile(path);
}

function newChunk(rows: number, width: number): CsvChunk {
  return { rows: 0, values: new Float64Array(rows * width), seq: new Uint32Array(rows) };
}

function trim(chunk: CsvChunk, width: number): CsvChunk {
  return {
    rows: chunk.rows,
    values: chunk.values.subarray(0, chunk.rows * width),
    seq: chunk.seq.subarray(0, chunk.rows),
  };
}

function fillRow(
  record: readonly string[],
  match: HeaderMatch,
  missing: MissingValuePolicy,
  target: Float64Array,
  offset: number,
): RowProblem | undefined {
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
