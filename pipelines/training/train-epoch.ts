import * as tf from '@tensorflow/tfjs';

import type { MiniBatch } from './shuffle-buffer.js';

/** Mean training loss and accuracy of one model over an epoch. */
export interface EpochFit {
  loss: number;
  accuracy: number;
}

/** The two models being trained and which of them still train this epoch. */
export interface TrainedModels {
  autoencoder: tf.LayersModel;
  lstm: tf.LayersModel;
  classes: number;
  training: { autoencoder: boolean; lstm: boolean };
}

class Mean {
  private sum = 0;
  private weight = 0;

  add(value: number, weight: number): void {
    this.sum += value * weight;
    this.weight += weight;
  }

  get value(): number {
    return this.weight === 0 ? NaN : this.sum / this.weight;
  }
}

/** The value of a named metric in what `trainOnBatch` returned. */
function metric(model: tf.LayersModel, values: number | number[], pattern: RegExp): number {
  const list = Array.isArray(values) ? values : [values];
  const index = model.metricsNames.findIndex((name) => pattern.test(name));
  return list[index] ?? NaN;
}

/**
 * One pass of mini-batches through both models: the autoencoder learns to reconstruct each
 * record and classify it, the LSTM to classify the window ending at it. Both see the same
 * shuffled samples, so one read of the data serves the two.
 */
export async function trainEpoch(
  models: TrainedModels,
  miniBatches: AsyncIterable<MiniBatch>,
  onBatch?: (samples: number) => void,
): Promise<{ autoencoder: EpochFit; lstm: EpochFit; samples: number }> {
  const { autoencoder, lstm, classes } = models;
  const ae = { loss: new Mean(), accuracy: new Mean() };
  const seq = { loss: new Mean(), accuracy: new Mean() };
  const features = autoencoder.inputs[0]?.shape[1] ?? 0;
  const steps = lstm.inputs[0]?.shape.slice(1) as [number, number];
  let samples = 0;

  for await (const batch of miniBatches) {
    const n = batch.rows;
    const records = tf.tensor2d(batch.records, [n, features]);
    const windows = tf.tensor3d(batch.windows, [n, ...steps]);
    const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(batch.labels, 'int32'), classes));
    try {
      if (models.training.autoencoder) {
        const out = await autoencoder.trainOnBatch(records, [records, labels]);
        ae.loss.add(metric(autoencoder, out, /^loss$/), n);
        ae.accuracy.add(metric(autoencoder, out, /acc/), n);
      }
      if (models.training.lstm) {
        const out = await lstm.trainOnBatch(windows, labels);
        seq.loss.add(metric(lstm, out, /^loss$/), n);
        seq.accuracy.add(metric(lstm, out, /acc/), n);
      }
    } finally {
      tf.dispose([records, windows, labels]);
    }
    samples += n;
    onBatch?.(samples);
  }

  return {
    autoencoder: { loss: ae.loss.value, accuracy: ae.accuracy.value },
    lstm: { loss: seq.loss.value, accuracy: seq.accuracy.value },
    samples,
  };
}
