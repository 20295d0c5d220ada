import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type * as tf from '@tensorflow/tfjs';

import { classesOf } from '../../schemas/taxonomy.js';
import type { FlowFile } from '../arrow/flow-reader.js';
import {
  argmaxRows,
  classificationMetrics,
  type ClassificationMetrics,
} from '../evaluation/metrics.js';
import { BUNDLE_FILES, writeBundle, type BundleManifest } from '../models/bundle.js';
import { combineProbabilities } from '../models/ensemble.js';
import { saveModel } from '../models/model-files.js';
import { exportAutoencoder } from '../models/onnx/export-autoencoder.js';
import { exportLstm } from '../models/onnx/export-lstm.js';
import type { TrainingConfig } from './config.js';
import type { Preparation } from './prepare.js';
import type { EpochReport, FittedModels } from './fit-models.js';

/** What a training run produced: the bundle's manifest, the curves and validation metrics. */
export interface TrainingResult {
  dir: string;
  manifest: BundleManifest;
  history: EpochReport[];
  validation: {
    autoencoder: ClassificationMetrics;
    lstm: ClassificationMetrics;
    ensemble: ClassificationMetrics;
  };
}

export interface TrainedBundleInput {
  out: string;
  config: TrainingConfig;
  backend: string;
  prep: Preparation;
  file: FlowFile;
  fitted: FittedModels;
}

/** tfjs writes its artifacts to a folder; read them back as bytes for the bundle. */
async function tfjsArtifacts(autoencoder: tf.LayersModel, lstm: tf.LayersModel) {
  const dir = await mkdtemp(join(tmpdir(), 'iomt-models-'));
  try {
    await saveModel(autoencoder, dir, 'autoencoder');
    await saveModel(lstm, dir, 'lstm');
    const read = (name: string) => readFile(join(dir, name));
    return {
      [BUNDLE_FILES.autoencoderModel]: await read(BUNDLE_FILES.autoencoderModel),
      [BUNDLE_FILES.autoencoderWeights]: await read(BUNDLE_FILES.autoencoderWeights),
      [BUNDLE_FILES.lstmModel]: await read(BUNDLE_FILES.lstmModel),
      [BUNDLE_FILES.lstmWeights]: await read(BUNDLE_FILES.lstmWeights),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const summary = (m: ClassificationMetrics) => ({ accuracy: m.accuracy, macroF1: m.macro.f1 });

/** Writes the bundle of a finished training run: both models in tfjs and ONNX form. */
export async function writeTrainedBundle(input: TrainedBundleInput): Promise<TrainingResult> {
  const { config, prep, file, fitted } = input;
  const { shape, validation } = fitted;
  const names = classesOf(config.classes);
  const ensembleProbabilities = combineProbabilities(
    fitted.weights,
    validation.aeProbabilities,
    validation.lstmProbabilities,
  );
  const metrics = {
    autoencoder: classificationMetrics(validation.labels, validation.aePredicted, names),
    lstm: classificationMetrics(validation.labels, validation.lstmPredicted, names),
    ensemble: classificationMetrics(
      validation.labels,
      argmaxRows(ensembleProbabilities, shape.classes),
      names,
    ),
  };

  const files = {
    ...(await tfjsArtifacts(fitted.autoencoder, fitted.lstm)),
    [BUNDLE_FILES.autoencoderOnnx]: exportAutoencoder(fitted.autoencoder, shape),
    [BUNDLE_FILES.lstmOnnx]: exportLstm(fitted.lstm, shape),
  };
  const manifest = await writeBundle(
    input.out,
    {
      createdAt: new Date().toISOString(),
      data: {
        source: prep.metadata.source,
        layout: prep.metadata.layout,
        deduplicated: prep.metadata.deduplicated,
        excludedFeatures: [...prep.metadata.excludedFeatures],
        validation: config.validationMode,
      },
      layout: file.info.layout,
      features: [...file.info.features],
      granularity: config.classes,
      classes: [...names],
      windowLength: config.windowLength,
      scaler: prep.scaler.toJSON(),
      ensemble: fitted.weights,
      anomaly: fitted.anomaly,
      metrics: {
        validation: {
          autoencoder: summary(metrics.autoencoder),
          lstm: summary(metrics.lstm),
          ensemble: summary(metrics.ensemble),
        },
      },
      training: {
        ...config,
        balancedRows: prep.balancedRows.length,
        validationRows: prep.validationRows.length,
      },
      history: {
        autoencoder: fitted.history.map((e) => ({ epoch: e.epoch + 1, ...e.autoencoder })),
        lstm: fitted.history.map((e) => ({ epoch: e.epoch + 1, ...e.lstm })),
      },
      backend: input.backend,
    },
    files,
  );
  return { dir: input.out, manifest, history: fitted.history, validation: metrics };
}
