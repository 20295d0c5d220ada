import { replay, type ReplayOptions, type ReplaySummary } from '../../services/stages/replay.js';

/** A replay left running while a test does something to the pipeline. */
export interface BackgroundReplay {
  /** Settles when the replay ends. */
  readonly done: Promise<ReplaySummary>;
  /** True once it has ended, successfully or not. */
  finished(): boolean;
}

/** Starts `replay(options)` without waiting for it. */
export function replayInBackground(options: ReplayOptions): BackgroundReplay {
  let finished = false;
  const done = replay(options);
  done.then(
    () => (finished = true),
    () => (finished = true),
  );
  return { done, finished: () => finished };
}
