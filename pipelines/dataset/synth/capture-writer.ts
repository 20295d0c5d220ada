import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { IomtError } from '../../../schemas/errors.js';
import type { FlowRecord } from './flow-record.js';

/** What `writeCaptureFile` needs to write one capture. */
export interface CaptureFileJob {
  /** Path of the CSV file to create (or replace). */
  path: string;
  /** Header line, without line break. */
  header: string;
  /** Data rows to write. */
  rows: number;
  /** The source of the rows, called once per row. */
  next: () => FlowRecord;
  /** Writes a record as a CSV line without line break. */
  format: (record: FlowRecord) => string;
  /** Called after each chunk with the number of data rows it held. */
  onRows?: (rows: number) => void;
}

// Lines are gathered into chunks of about this many characters: few enough writes to be fast,
// small enough that a file is never held in memory.
const CHUNK_CHARS = 1 << 16;
// Room for several chunks in the file stream, so generating the next one overlaps the write of
// the last instead of waiting for every chunk to drain.
const STREAM_BUFFER = 1 << 20;

/**
 * Streams one capture file to disk: a header line, then `rows` data lines, LF-terminated like
 * the real files. The pipeline pulls chunks only as fast as the file stream drains them, so
 * memory stays flat whatever the file size. A failed write throws an `IomtError` with code
 * `IO` naming the file; an error thrown by one of the job's callbacks is rethrown as it is.
 */
export async function writeCaptureFile(job: CaptureFileJob): Promise<void> {
  let callbackFailed = false;
  function* source(): Generator<string> {
    try {
      yield* chunks(job);
    } catch (error) {
      callbackFailed = true;
      throw error;
    }
  }

  try {
    await pipeline(source(), createWriteStream(job.path, { highWaterMark: STREAM_BUFFER }));
  } catch (cause) {
    if (callbackFailed) throw cause;
    throw new IomtError({
      code: 'IO',
      message: `could not write generated capture ${job.path}`,
      cause,
      context: { file: job.path },
    });
  }
}

function* chunks(job: CaptureFileJob): Generator<string> {
  let text = job.header + '\n';
  let pending = 0;

  for (let i = 0; i < job.rows; i++) {
    text += job.format(job.next()) + '\n';
    pending += 1;
    if (text.length >= CHUNK_CHARS) {
      yield text;
      job.onRows?.(pending);
      text = '';
      pending = 0;
    }
  }

  if (text.length > 0) yield text;
  if (pending > 0) job.onRows?.(pending);
}
