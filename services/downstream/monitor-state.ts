import { classificationMetrics } from '../../pipelines/evaluation/metrics.js';
import type { ClassificationMetrics } from '../../pipelines/evaluation/metrics.js';
import type { GranularitySymbol, ScoredEvent } from '../../schemas/avro/messages.js';
import { classNames } from '../../schemas/avro/names.js';
import { trueLabel } from './format.js';

/** How often each class was predicted. */
export interface PredictedClass {
  name: string;
  count: number;
  /** `count` over all events counted. */
  rate: number;
}

/** What `MonitorState.snapshot` answers; plain numbers, ready for JSON. */
export interface MonitorSnapshot {
  /** The granularity of the first event; null before any. */
  granularity: GranularitySymbol | null;
  classes: string[];
  /** Events counted: of the granularity, with a predicted index in range. */
  events: number;
  /** Counted events with a true label among the classes. */
  labelled: number;
  /** Counted events without a true label, or with one that is not among the classes. */
  unlabelled: number;
  /** Events left out: of another granularity than the first, or predicting no known class. */
  skipped: number;
  /** Accuracy, recall and confusion over the labelled events; null while there are none. */
  metrics: ClassificationMetrics | null;
  /** One entry per class, in class-index order. */
  predicted: PredictedClass[];
  /** Share of counted events predicted as a class other than Benign. */
  attackRate: number;
  /** Share of counted events with the unknown-attack flag. */
  unknownAttackRate: number;
  /** Seconds from the first counted event to the snapshot. */
  elapsedSeconds: number;
  /** Counted events per second over `elapsedSeconds`; 0 before a second event. */
  recordsPerSecond: number;
}

/** Options of `MonitorState`. */
export interface MonitorStateOptions {
  /** Milliseconds since the epoch, now. Default `Date.now`. */
  now?: () => number;
}

/**
 * Live statistics of a stream of scored events against the true labels they carry. Memory is
 * bounded by the class count: only counts are kept, never the events.
 */
export class MonitorState {
  private readonly now: () => number;
  private granularity: GranularitySymbol | null = null;
  private classes: readonly string[] = [];
  private index = new Map<string, number>();
  private confusion: number[][] = [];
  private predictedCounts: number[] = [];
  private events = 0;
  private unlabelled = 0;
  private skipped = 0;
  private unknownAttacks = 0;
  private firstAt: number | null = null;

  constructor(options: MonitorStateOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /** Counts one event. Answers false when it was skipped (see `MonitorSnapshot.skipped`). */
  add(event: ScoredEvent): boolean {
    if (this.granularity === null) this.start(event.granularity);
    const predicted = event.predictedIndex;
    const known = Number.isInteger(predicted) && predicted >= 0 && predicted < this.classes.length;
    if (event.granularity !== this.granularity || !known) {
      this.skipped++;
      return false;
    }

    this.firstAt ??= this.now();
    this.events++;
    this.predictedCounts[predicted] = (this.predictedCounts[predicted] ?? 0) + 1;
    if (event.unknownAttack) this.unknownAttacks++;

    const label = trueLabel(event);
    const truth = label === null ? undefined : this.index.get(label);
    const row = truth === undefined ? undefined : this.confusion[truth];
    if (row === undefined) this.unlabelled++;
    else row[predicted] = (row[predicted] ?? 0) + 1;
    return true;
  }

  /** The statistics so far. */
  snapshot(): MonitorSnapshot {
    const events = this.events;
    const rate = (count: number) => (events === 0 ? 0 : count / events);
    const predicted = this.classes.map((name, c) => {
      const count = this.predictedCounts[c] ?? 0;
      return { name, count, rate: rate(count) };
    });
    const benign = predicted.find((p) => p.name === 'Benign')?.count ?? 0;
    const elapsedSeconds = this.firstAt === null ? 0 : (this.now() - this.firstAt) / 1000;

    return {
      granularity: this.granularity,
      classes: [...this.classes],
      events,
      labelled: events - this.unlabelled,
      unlabelled: this.unlabelled,
      skipped: this.skipped,
      metrics: this.metrics(),
      predicted,
      attackRate: rate(events - benign),
      unknownAttackRate: rate(this.unknownAttacks),
      elapsedSeconds,
      recordsPerSecond: elapsedSeconds > 0 ? events / elapsedSeconds : 0,
    };
  }

  private start(granularity: GranularitySymbol): void {
    this.granularity = granularity;
    this.classes = classNames(granularity);
    this.index = new Map(this.classes.map((name, c) => [name, c]));
    this.confusion = this.classes.map(() => this.classes.map(() => 0));
    this.predictedCounts = this.classes.map(() => 0);
  }

  // classificationMetrics takes label arrays; the counts are expanded for it (one byte per
  // labelled event, only for the snapshot), so its definitions stay the only ones.
  private metrics(): ClassificationMetrics | null {
    const labelled = this.events - this.unlabelled;
    if (labelled === 0) return null;

    const yTrue = new Uint8Array(labelled);
    const yPred = new Uint8Array(labelled);
    let at = 0;
    this.confusion.forEach((row, t) =>
      row.forEach((count, p) => {
        yTrue.fill(t, at, at + count);
        yPred.fill(p, at, at + count);
        at += count;
      }),
    );
    return classificationMetrics(yTrue, yPred, this.classes);
  }
}
