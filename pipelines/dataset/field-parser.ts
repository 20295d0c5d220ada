import type { ErrorCode } from '../../schemas/errors.js';

/** What to do with an empty or NaN field. */
export type MissingValuePolicy = 'reject' | 'zero';

export const MISSING_VALUE_POLICIES: readonly MissingValuePolicy[] = ['reject', 'zero'];

/** A field that could not become a finite number. */
export interface FieldProblem {
  code: Extract<ErrorCode, 'NOT_NUMERIC' | 'NOT_FINITE' | 'MISSING_VALUE'>;
  reason: string;
}

const MISSING = new Set(['', 'nan', 'na', 'null', 'none']);
const INFINITE = /^[+-]?(inf|infinity)$/i;
// Number() also accepts hexadecimal, binary, octal and numeric separators; CSV exporters never
// write those, so a field holding one is more likely corrupted than meant.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses one CSV field strictly as a decimal number. Returns the number, or a problem value
 * (a hot-loop outcome, not an exception).
 */
export function parseField(raw: string): number | FieldProblem {
  const value = Number(raw);
  if (Number.isFinite(value) && DECIMAL.test(raw)) return value;

  const text = raw.trim();
  if (MISSING.has(text.toLowerCase())) {
    return { code: 'MISSING_VALUE', reason: `missing value "${raw}"` };
  }
  if (INFINITE.test(text) || (DECIMAL.test(text) && !Number.isFinite(Number(text)))) {
    return { code: 'NOT_FINITE', reason: `value "${raw}" is not finite` };
  }
  if (DECIMAL.test(text)) return Number(text);
  return { code: 'NOT_NUMERIC', reason: `value "${raw}" is not a number` };
}
