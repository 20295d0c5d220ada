import type { ScoredEvent } from '../../schemas/avro/messages.js';

/** How `iomt tail` prints a scored event. */
export type TailFormat = 'pretty' | 'json';

export const TAIL_FORMATS: readonly TailFormat[] = ['pretty', 'json'];

/** Which scored events `iomt tail` prints. Both filters on: events that pass both. */
export interface TailFilter {
  /** Keep only events whose predicted class is not Benign. Default false. */
  attacks?: boolean;
  /** Keep only events with the unknown-attack flag. Default false. */
  unknown?: boolean;
}

/** The benign class: the same name at every granularity. */
const BENIGN = 'Benign';

/** Whether `event` passes `filter`. */
export function keepEvent(event: ScoredEvent, filter: TailFilter): boolean {
  if (filter.attacks && event.predicted === BENIGN) return false;
  if (filter.unknown && !event.unknownAttack) return false;
  return true;
}

/**
 * The true label of `event` at its own granularity, or null when it carries none. G2 labels are
 * derived from the 19-class label (Benign or Attack), as the taxonomy does.
 */
export function trueLabel(event: ScoredEvent): string | null {
  if (event.granularity === 'G19') return event.label19;
  if (event.granularity === 'G6') return event.label6;
  if (event.label19 === null) return null;
  return event.label19 === BENIGN ? BENIGN : 'Attack';
}

/** The probability of the predicted class (the largest, when the index is out of range). */
export function topProbability(event: ScoredEvent): number {
  const p = event.probabilities[event.predictedIndex];
  if (p !== undefined) return p;
  return event.probabilities.reduce((max, v) => Math.max(max, v), 0);
}

/**
 * One short line: score time, capture/seq, predicted class, its probability, the unknown-attack
 * flag and, when carried, the true label.
 */
export function formatPretty(event: ScoredEvent): string {
  const parts = [
    new Date(event.scoredAt).toISOString(),
    `${event.capture}/${event.seq}`,
    event.predicted,
    `p=${topProbability(event).toFixed(3)}`,
    event.unknownAttack ? 'UNKNOWN-ATTACK' : '-',
  ];
  const label = trueLabel(event);
  if (label !== null) parts.push(`true=${label}`);
  return parts.join('  ');
}

/** The event as one line of JSON, with its fields in schema order. */
export function formatJson(event: ScoredEvent): string {
  // Decoded records are instances of avsc's generated classes; spread them to plain data.
  return JSON.stringify({ ...event });
}

/** The printer of `format`. */
export function formatter(format: TailFormat): (event: ScoredEvent) => string {
  return format === 'json' ? formatJson : formatPretty;
}
