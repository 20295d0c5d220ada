import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

import type { ErrorCode } from '../../schemas/errors.js';

/** A flow record (or a whole file) that did not make it into the output, and why. */
export interface Rejection {
  file: string;
  /** 1-based line of the file; the header is line 1. */
  line: number;
  code: ErrorCode;
  reason: string;
  column?: string;
}

/** Counts rejections by code and, when given a path, writes each one as a JSON line. */
export class RejectionReport {
  readonly counts = new Map<ErrorCode, number>();
  private total = 0;
  private readonly stream: WriteStream | undefined;

  constructor(path?: string) {
    this.stream = path ? createWriteStream(path, { encoding: 'utf8' }) : undefined;
  }

  get size(): number {
    return this.total;
  }

  add(rejection: Rejection): void {
    this.total++;
    this.counts.set(rejection.code, (this.counts.get(rejection.code) ?? 0) + 1);
    this.stream?.write(`${JSON.stringify(rejection)}\n`);
  }

  byCode(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  async close(): Promise<void> {
    if (!this.stream) return;
    this.stream.end();
    await once(this.stream, 'finish');
  }
}
