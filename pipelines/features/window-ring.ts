/**
 * The last T records of one sequence (a capture, or one block of it), from which the window
 * ending at the newest record is written. Every record gets a window: before T records have
 * arrived, the missing older steps are zeros with a presence flag of 0. Offline windowing and
 * the streaming window stage both go through this class, so they build identical windows.
 */
export class WindowRing {
  private readonly steps: Float32Array;
  private count = 0;
  private next = 0;

  /**
   * @param windowLength T, records per window.
   * @param features scaled features per record; each window step is `features + 1` wide.
   */
  constructor(
    readonly windowLength: number,
    readonly features: number,
  ) {
    if (!Number.isInteger(windowLength) || windowLength < 1) {
      throw new RangeError(`windowLength must be a positive integer, got ${windowLength}`);
    }
    this.steps = new Float32Array(windowLength * features);
  }

  /** Records held, at most T. */
  get size(): number {
    return this.count;
  }

  /** Forgets every record: the next one starts a new sequence. */
  reset(): void {
    this.count = 0;
    this.next = 0;
  }

  /** Appends the record `values[offset .. offset + features)`, dropping the oldest past T. */
  push(values: ArrayLike<number>, offset = 0): void {
    const base = this.next * this.features;
    for (let f = 0; f < this.features; f++) this.steps[base + f] = values[offset + f] ?? 0;
    this.next = (this.next + 1) % this.windowLength;
    this.count = Math.min(this.count + 1, this.windowLength);
  }

  /** The held records, oldest first, as `count * features` values: what a changelog keeps. */
  snapshot(): Float32Array {
    const out = new Float32Array(this.count * this.features);
    for (let i = 0; i < this.count; i++) {
      const slot = (this.next - this.count + i + this.windowLength) % this.windowLength;
      out.set(
        this.steps.subarray(slot * this.features, (slot + 1) * this.features),
        i * this.features,
      );
    }
    return out;
  }

  /**
   * Writes the window ending at the newest record into `target` at `offset`: T steps, oldest
   * first, each the record's features then its presence flag.
   */
  writeWindow(target: Float32Array, offset: number): void {
    const width = this.features + 1;
    const padding = this.windowLength - this.count;
    target.fill(0, offset, offset + padding * width);

    for (let i = 0; i < this.count; i++) {
      const slot = (this.next - this.count + i + this.windowLength) % this.windowLength;
      const at = offset + (padding + i) * width;
      target.set(this.steps.subarray(slot * this.features, (slot + 1) * this.features), at);
      target[at + this.features] = 1;
    }
  }
}
