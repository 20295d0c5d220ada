import type { ReplaySource } from './replay-source.js';

/** What a replay's progress counts, and how much there is in all. */
export interface ProgressPlan {
  /** Records produced, or bytes of CSV read where the records are not known in advance. */
  unit: 'rows' | 'bytes';
  total: number;
}

/**
 * How a replay can show its progress: in records when their number is known (a limit, or an
 * Arrow file's rows times the passes), in bytes for a CSV tree read a known number of times,
 * and not at all when it loops until stopped.
 */
export function progressPlan(
  source: ReplaySource,
  passes: number,
  limit: number,
): ProgressPlan | undefined {
  const rows = source.rows !== undefined ? source.rows * passes : Infinity;
  const records = Math.min(limit, rows);
  if (Number.isFinite(records)) return { unit: 'rows', total: records };
  if (source.bytes !== undefined && Number.isFinite(passes)) {
    return { unit: 'bytes', total: source.bytes * passes };
  }
  return undefined;
}
