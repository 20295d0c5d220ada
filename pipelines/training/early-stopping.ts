import * as tf from '@tensorflow/tfjs';

/**
 * Keeps a model's weights from its best validation epoch and says when it has gone `patience`
 * epochs without improving. With patience 0 it never stops the model, but still restores the
 * best epoch's weights at the end.
 */
export class EarlyStopping {
  private best = Infinity;
  private bestEpoch = -1;
  private weights: tf.Tensor[] | undefined;
  private stale = 0;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly patience: number,
  ) {}

  get bestValidationLoss(): number {
    return this.best;
  }

  get epochOfBest(): number {
    return this.bestEpoch;
  }

  /** Records an epoch's validation loss; returns false once the model should stop training. */
  update(epoch: number, validationLoss: number): boolean {
    if (validationLoss < this.best) {
      this.best = validationLoss;
      this.bestEpoch = epoch;
      this.stale = 0;
      tf.dispose(this.weights);
      this.weights = this.model.getWeights().map((w) => w.clone());
      return true;
    }
    this.stale++;
    return this.patience === 0 || this.stale < this.patience;
  }

  /** Puts the best epoch's weights back into the model. */
  restore(): void {
    if (!this.weights) return;
    this.model.setWeights(this.weights);
    tf.dispose(this.weights);
    this.weights = undefined;
  }
}
