import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import * as tf from '@tensorflow/tfjs';

import { EarlyStopping } from '../../../pipelines/training/early-stopping.js';

function tinyModel(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 1, inputShape: [1], kernelInitializer: 'zeros' }));
  return model;
}

const kernel = (model: tf.LayersModel) => model.getWeights()[0]?.dataSync()[0] ?? NaN;

function setKernel(model: tf.LayersModel, value: number): void {
  const [, bias] = model.getWeights();
  model.setWeights([tf.tensor2d([[value]]), bias as tf.Tensor]);
}

describe('EarlyStopping', () => {
  it('stops after `patience` epochs without improvement and restores the best epoch', () => {
    const model = tinyModel();
    const stop = new EarlyStopping(model, 2);
    const losses = [1.0, 0.8, 0.9, 0.85];
    const go = losses.map((loss, epoch) => {
      setKernel(model, epoch + 1);
      return stop.update(epoch, loss);
    });

    assert.deepEqual(go, [true, true, true, false]);
    assert.equal(stop.epochOfBest, 1);
    stop.restore();
    assert.equal(kernel(model), 2);
  });

  it('never stops with patience 0, but still restores the best weights', () => {
    const model = tinyModel();
    const stop = new EarlyStopping(model, 0);
    const go = [0.5, 0.6, 0.7, 0.8].map((loss, epoch) => {
      setKernel(model, epoch + 1);
      return stop.update(epoch, loss);
    });
    assert.ok(go.every(Boolean));
    stop.restore();
    assert.equal(kernel(model), 1);
  });
});
