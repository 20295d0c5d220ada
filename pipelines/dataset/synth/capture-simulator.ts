import { Random, deriveSeed } from '../../features/random.js';
import type { Label19, Split } from '../../../schemas/taxonomy.js';
import { FlowRecord } from './flow-record.js';
import type { CaptureTraits } from './flow-record.js';
import { LatentState } from './latent-state.js';
import { PROFILES } from './profiles.js';
import type { ClassProfile } from './profiles.js';

/** Which capture to simulate, and under which seed. */
export interface CaptureSpec {
  split: Split;
  /** File name without the split suffix, e.g. `TCP_IP-DoS-UDP3`. */
  stem: string;
  label19: Label19;
  seed: number;
}

// Spread of the per-capture offsets, in log units.
const RATE_OFFSET_SD = 0.2;
const SIZE_OFFSET_SD = 0.1;

/**
 * Produces the flow records of one capture in order. Each capture has its own random streams,
 * derived from the seed and the capture's name, so a file's content does not depend on which
 * files are generated before it.
 */
export class CaptureSimulator {
  private readonly profile: ClassProfile;
  private readonly traits: CaptureTraits;
  private readonly rng: Random;
  private readonly latent: LatentState;
  private readonly record = new FlowRecord();

  constructor(spec: CaptureSpec) {
    this.profile = PROFILES[spec.label19];
    this.traits = drawTraits(spec);
    this.rng = new Random(deriveSeed(spec.seed, 'synth-rows', spec.split, spec.stem));
    this.latent = new LatentState(this.profile.dynamics, this.rng);
  }

  /** The next record; the same object is refilled on every call. */
  next(): FlowRecord {
    this.latent.step();
    this.record.fill(this.profile, this.traits, this.latent.values, this.rng);
    return this.record;
  }
}

/**
 * The 11 single-capture labels have one recording cut into a train and a test half, so both
 * files share that recording's traits; every TCP_IP capture is a recording of its own.
 */
export function recordingKey(spec: Omit<CaptureSpec, 'seed'>): string {
  return spec.label19.startsWith('TCP_IP-') ? `${spec.split}/${spec.stem}` : spec.label19;
}

function drawTraits(spec: CaptureSpec): CaptureTraits {
  const rng = new Random(deriveSeed(spec.seed, 'synth-traits', recordingKey(spec)));
  return {
    rateOffset: RATE_OFFSET_SD * rng.normal(),
    sizeOffset: SIZE_OFFSET_SD * rng.normal(),
  };
}
