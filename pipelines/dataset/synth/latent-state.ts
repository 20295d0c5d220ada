import type { Random } from '../../features/random.js';
import type { Dynamics } from './profiles.js';

/** Index of the latent component that drives `Rate` (and the flow's packet count). */
export const LATENT_RATE = 0;
/** Index of the latent component that drives payload sizes. */
export const LATENT_SIZE = 1;
/** Index of the latent component that tilts the protocol mix. */
export const LATENT_MIX = 2;

const COMPONENTS = 3;

/**
 * The hidden state of one capture, advanced once per row: for each component, an AR(1) process
 * plus a sine of the class's period, scaled so the sum has about unit variance (see
 * profiles.ts). Consecutive rows of a capture are correlated through it.
 */
export class LatentState {
  /** The current value of each component; read after `step()`. */
  readonly values = new Float64Array(COMPONENTS);

  private readonly ar = new Float64Array(COMPONENTS);
  private readonly phases = new Float64Array(COMPONENTS);
  private readonly arScale: number;
  private readonly waveScale: number;
  private readonly innovation: number;
  private t = -1;

  constructor(
    private readonly dynamics: Dynamics,
    private readonly rng: Random,
  ) {
    const { phi, periodic } = dynamics;
    this.arScale = Math.sqrt(1 - periodic);
    // A sine of amplitude A has variance A^2 / 2.
    this.waveScale = Math.sqrt(2 * periodic);
    this.innovation = Math.sqrt(1 - phi * phi);

    // Start from the stationary distribution, so the first rows look like the later ones.
    for (let k = 0; k < COMPONENTS; k++) {
      this.ar[k] = rng.normal();
      this.phases[k] = rng.next() * 2 * Math.PI;
    }
  }

  /** Moves to the next row and updates `values`. */
  step(): void {
    this.t += 1;
    const angle = (2 * Math.PI * this.t) / this.dynamics.period;

    for (let k = 0; k < COMPONENTS; k++) {
      const previous = this.ar[k] ?? 0;
      const ar =
        this.t === 0
          ? previous
          : this.dynamics.phi * previous + this.innovation * this.rng.normal();
      this.ar[k] = ar;
      this.values[k] = this.arScale * ar + this.waveScale * Math.sin(angle + (this.phases[k] ?? 0));
    }
  }
}
