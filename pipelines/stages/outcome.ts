import type { ErrorCode } from '../../schemas/errors.js';

/**
 * What a stage did with one record: a value to pass on, or the reason it cannot be processed.
 * A rejection is an expected outcome of a hot loop, so it is a value the caller sends to the
 * dead-letter topic, never an exception.
 */
export type StageOutcome<T> =
  { ok: true; value: T } | { ok: false; code: ErrorCode; reason: string };

export function accept<T>(value: T): StageOutcome<T> {
  return { ok: true, value };
}

export function reject<T>(code: ErrorCode, reason: string): StageOutcome<T> {
  return { ok: false, code, reason };
}
