import type { FlowWindow, ScaledFlowRecord } from '../../schemas/avro/messages.js';
import { WindowRing } from '../features/window-ring.js';
import { accept, reject, type StageOutcome } from './outcome.js';

export interface WindowStageOptions {
  /** T, records per window. */
  windowLength: number;
  /** Scaled features per record. */
  features: number;
  /** The checksum of the scaler every record must have been scaled with. */
  scalerChecksum: string;
  now?: () => number;
}

interface CaptureState {
  ring: WindowRing;
  lastSeq: number;
}

/**
 * The window stage's state: the last T records of every capture seen, keyed by capture. Each
 * scaled record yields exactly one window, the T records of its capture ending at it, built by
 * the same `WindowRing` as offline evaluation. A record that does not come after its capture's
 * newest one (a redelivery, or records out of order) is refused, so a record is never windowed
 * twice.
 */
export class WindowStage {
  private readonly captures = new Map<string, CaptureState>();
  private readonly now: () => number;

  constructor(private readonly options: WindowStageOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Captures with state. */
  get size(): number {
    return this.captures.size;
  }

  /** The window ending at `record`, or why there is none. */
  push(record: ScaledFlowRecord): StageOutcome<FlowWindow> {
    const { windowLength, features, scalerChecksum } = this.options;
    if (record.scalerChecksum !== scalerChecksum) {
      return reject(
        'SCALER_MISMATCH',
        `record scaled by scaler ${record.scalerChecksum.slice(0, 12)}`,
      );
    }
    if (record.values.length !== features) {
      return reject('FIELD_COUNT', `${record.values.length} scaled values, expected ${features}`);
    }
    const state = this.stateOf(record.capture);
    if (record.seq <= state.lastSeq) {
      return reject(
        'OUT_OF_ORDER',
        `record ${record.seq} of ${record.capture} does not follow ${state.lastSeq}`,
      );
    }

    state.ring.push(record.values);
    state.lastSeq = record.seq;
    const steps = new Float32Array(windowLength * (features + 1));
    state.ring.writeWindow(steps, 0);
    return accept({
      capture: record.capture,
      seq: record.seq,
      layout: record.layout,
      excludedFeatures: record.excludedFeatures,
      scalerChecksum: record.scalerChecksum,
      windowLength,
      stepWidth: features + 1,
      steps: Array.from(steps),
      record: record.values,
      label19: record.label19,
      label6: record.label6,
      producedAt: record.producedAt,
      windowedAt: this.now(),
    });
  }

  /**
   * Rebuilds a capture's state from its most recent records, oldest first, as read back after
   * a restart or a rebalance; the next record pushed continues from the newest of them.
   */
  restore(capture: string, records: readonly ScaledFlowRecord[]): void {
    const state = this.stateOf(capture);
    state.ring.reset();
    state.lastSeq = -1;
    for (const record of records.slice(-this.options.windowLength)) {
      state.ring.push(record.values);
      state.lastSeq = record.seq;
    }
  }

  /**
   * Rebuilds a capture's state from the newest window it was given, as read back from the
   * windows topic after a restart or a rebalance: the window's present steps become the ring,
   * oldest first, and the next record pushed must come after the window's seq.
   */
  restoreFromWindow(window: FlowWindow): void {
    const { windowLength, features } = this.options;
    const width = features + 1;
    if (window.windowLength !== windowLength || window.stepWidth !== width) {
      throw new RangeError(
        `window of ${window.capture} is ${window.windowLength} x ${window.stepWidth}, ` +
          `expected ${windowLength} x ${width}`,
      );
    }

    const state = this.stateOf(window.capture);
    state.ring.reset();
    for (let step = 0; step < windowLength; step++) {
      const at = step * width;
      if (window.steps[at + features] !== 1) continue;
      state.ring.push(window.steps, at);
    }
    state.lastSeq = window.seq;
  }

  /** Forgets a capture, e.g. when its partition is revoked. */
  drop(capture: string): void {
    this.captures.delete(capture);
  }

  private stateOf(capture: string): CaptureState {
    let state = this.captures.get(capture);
    if (!state) {
      state = {
        ring: new WindowRing(this.options.windowLength, this.options.features),
        lastSeq: -1,
      };
      this.captures.set(capture, state);
    }
    return state;
  }
}
