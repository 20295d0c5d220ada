/**
 * The seq of each record in a replay of several passes over one source. The first pass keeps
 * the source's seq and learns each capture's span (its largest seq plus one); pass p adds
 * p times the span. So a capture's seq keeps growing from pass to pass, the window stage takes
 * every pass's records in order (it refuses a seq that does not follow with OUT_OF_ORDER), and
 * `seq mod span` is still the record's position in its file.
 */
export class PassSeq {
  private readonly spans = new Map<string, number>();
  private current = 0;

  /** 0 during the first pass. */
  get pass(): number {
    return this.current;
  }

  /** The seq `seq` of `capture` becomes in the current pass. */
  seqOf(capture: string, seq: number): number {
    if (this.current === 0) {
      this.spans.set(capture, Math.max(this.spans.get(capture) ?? 0, seq + 1));
      return seq;
    }
    return seq + this.current * (this.spans.get(capture) ?? 0);
  }

  /** Starts the next pass. */
  next(): void {
    this.current++;
  }
}
