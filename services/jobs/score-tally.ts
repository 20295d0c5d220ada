import { quantile } from '../../pipelines/models/anomaly.js';
import type { ScoredEvent } from '../../schemas/avro/messages.js';
import { trueLabel } from '../downstream/format.js';
import type { StreamSummary } from '../embedded/stream-split.js';

/**
 * What came out of the pipeline for a run: scored events (one per capture and seq; a second
 * one is counted apart, never twice) and dead letters by error code, with each score's latency
 * from its record's produce time to its arrival.
 */
export class ScoreTally {
  private readonly keys = new Set<string>();
  private readonly latencies: number[] = [];
  private readonly deadLettered: Record<string, number> = {};
  private right = 0;
  private unknown = 0;
  private letters = 0;
  /** Scored events whose capture and seq had been scored already. */
  duplicates = 0;
  /** Epoch milliseconds of the last arrival; 0 before the first. */
  lastArrival = 0;

  /** Records scored or dead-lettered so far. */
  get arrived(): number {
    return this.keys.size + this.letters;
  }

  addScore(event: ScoredEvent, arrivedAt: number): void {
    const key = `${event.capture}/${event.seq}`;
    if (this.keys.has(key)) {
      this.duplicates++;
      return;
    }
    this.keys.add(key);
    this.latencies.push(arrivedAt - event.producedAt);
    if (event.predicted === trueLabel(event)) this.right++;
    if (event.unknownAttack) this.unknown++;
    this.lastArrival = arrivedAt;
  }

  addDeadLetter(errorCode: string, arrivedAt: number): void {
    this.deadLettered[errorCode] = (this.deadLettered[errorCode] ?? 0) + 1;
    this.letters++;
    this.lastArrival = arrivedAt;
  }

  /** The summary of `records` replayed over `seconds`, as the embedded run reports it. */
  summary(records: number, seconds: number): StreamSummary {
    const scored = this.keys.size;
    const at = (q: number) => (scored ? quantile(this.latencies, q) : NaN);
    return {
      records,
      scored,
      deadLettered: { ...this.deadLettered },
      seconds,
      recordsPerSecond: records / seconds,
      latencyMs: {
        p50: at(0.5),
        p95: at(0.95),
        p99: at(0.99),
        max: scored ? this.latencies.reduce((m, v) => Math.max(m, v), -Infinity) : NaN,
      },
      accuracy: scored ? this.right / scored : NaN,
      unknownAttackRate: scored ? this.unknown / scored : NaN,
    };
  }
}
