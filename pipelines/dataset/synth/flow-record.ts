import type { Random } from '../../features/random.js';
import { LATENT_MIX, LATENT_RATE, LATENT_SIZE } from './latent-state.js';
import { PacketWindow, WINDOW_PACKETS } from './packet-window.js';
import type { ClassProfile } from './profiles.js';

/** Offsets a capture draws once, shared by all its rows. */
export interface CaptureTraits {
  /** Added to the log of `Rate`. */
  rateOffset: number;
  /** Added to the log of payload sizes. */
  sizeOffset: number;
}

// How much of a row's log rate (and log flow length) comes from the latent state; the rest is
// row noise. The two loadings have squares adding up to 1, so the class's `logSd` holds.
const RATE_LOAD = 0.85;
const RATE_NOISE = Math.sqrt(1 - RATE_LOAD * RATE_LOAD);
const FLOW_LOAD = 0.6;
const FLOW_NOISE = Math.sqrt(1 - FLOW_LOAD * FLOW_LOAD);
const SIZE_LOAD = 0.35;
// The 39-column IAT is the inverse of the rate, up to a little jitter, as in the real rows.
const IAT_JITTER = 0.05;
// Noise around a label's IAT leakage value: small against the step between labels.
const IAT_LEAK_NOISE = 2_000;

/**
 * One generated flow record: a window's counts and sums plus the row-level values, holding
 * what both CSV layouts need (each picks its own `Protocol Type`, `Header_Length` and `IAT`).
 * One instance is refilled for every row.
 */
export class FlowRecord {
  readonly window = new PacketWindow();
  /** Mean transport header bytes per packet (the 39-column `Header_Length`). */
  headerMean = 0;
  /** Header bytes over the flow so far, to one decimal (the 45-column `Header_Length`). */
  headerFlow = 0;
  /** Mean IP protocol number of the window (the 45-column `Protocol Type`). */
  protocolMean = 0;
  /** Mean TTL of the window, ARP packets counting 0 (`Duration`, `Time_To_Live`). */
  ttl = 0;
  rate = 0;
  number = 10;
  totSum = 0;
  avg = 0;
  std = 0;
  variance = 0;
  iatInverse = 0;
  iatLeak = 0;
  magnitude = 0;
  radius = 0;
  covariance = 0;
  weight = 0;

  /** Draws the next row of a capture from its profile, traits and current latent state. */
  fill(profile: ClassProfile, traits: CaptureTraits, latent: Float64Array, rng: Random): void {
    const mix = latent[LATENT_MIX] ?? 0;
    const sizeShift = traits.sizeOffset + SIZE_LOAD * (latent[LATENT_SIZE] ?? 0);
    this.window.fill(profile, { mix, sizeShift }, rng);
    this.fillWindowMeans();

    const drive = latent[LATENT_RATE] ?? 0;
    this.fillRate(profile, traits, drive, rng);
    this.fillSizes(profile, rng);
    this.fillDerived(rng);

    const flow = profile.flowPackets;
    const logFlow = flow.logMean + flow.logSd * (FLOW_LOAD * drive + FLOW_NOISE * rng.normal());
    this.headerFlow = Math.round(this.headerMean * Math.exp(logFlow) * 10) / 10;
    this.iatLeak = profile.iatLeak + IAT_LEAK_NOISE * rng.normal();
  }

  private fillWindowMeans(): void {
    const w = this.window;
    this.headerMean = w.headerSum / WINDOW_PACKETS;
    this.protocolMean = w.protocolSum / WINDOW_PACKETS;
    this.ttl = w.ttlSum / WINDOW_PACKETS;
  }

  private fillRate(profile: ClassProfile, traits: CaptureTraits, drive: number, rng: Random): void {
    const { logMean, logSd } = profile.rate;
    const z = RATE_LOAD * drive + RATE_NOISE * rng.normal();
    this.rate = Math.exp(logMean + traits.rateOffset + logSd * z);
    this.iatInverse = Math.exp(IAT_JITTER * rng.normal()) / this.rate;
  }

  private fillSizes(profile: ClassProfile, rng: Random): void {
    const w = this.window;
    this.number = rng.next() < profile.number100 ? 100 : 10;
    // The 10 simulated packets stand for the whole window when it reports 100.
    this.totSum = (w.sizeSum * this.number) / WINDOW_PACKETS;
    this.avg = w.sizeSum / WINDOW_PACKETS;
    this.variance = w.sizeVariance();
    this.std = Math.sqrt(this.variance);
  }

  // The 45-column layout's in/out statistics, kept consistent with the window's sizes:
  // magnitude from the means, radius and covariance from the variances, weight from counts.
  private fillDerived(rng: Random): void {
    const outgoing = this.avg * Math.exp(0.3 * rng.normal());
    this.magnitude = Math.sqrt(this.avg + outgoing);
    const outgoingVariance = this.variance * Math.exp(0.5 * rng.normal());
    this.radius = Math.sqrt((this.variance + outgoingVariance) / 2);
    this.covariance = this.radius * this.radius * (0.5 + rng.next());
    const incoming = rng.int(1, this.number - 1);
    this.weight = incoming * (this.number - incoming);
  }
}
