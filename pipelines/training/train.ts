import { join } from 'node:path';

import { pino, type Logger } from 'pino';

import { openFlowFile } from '../arrow/flow-reader.js';
import { selectBackend, type BackendName } from '../models/backend.js';
import { resolveTrainingConfig, type TrainingConfig } from './config.js';
import { fitModels, type FitHooks } from './fit-models.js';
import { prepareTraining } from './prepare.js';
import { writeTrainedBundle, type TrainingResult } from './write-bundle.js';

export type { EpochReport } from './fit-models.js';

export interface TrainOptions extends Partial<TrainingConfig>, FitHooks {
  /** Folder with `train.arrow` written by the ingest. */
  data: string;
  /** The model bundle folder to write. */
  out: string;
  /** tfjs backend; default the first that loads (GPU, native, wasm, then plain CPU). */
  backend?: BackendName;
  logger?: Logger;
}

/**
 * Trains the autoencoder and the LSTM on the balanced training rows of the official training
 * split, with validation blocks carved out first, and writes the model bundle.
 */
export async function trainModels(options: TrainOptions): Promise<TrainingResult> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const config = resolveTrainingConfig(options);
  const backend = await selectBackend({ requested: options.backend, logger });

  const prep = await prepareTraining({ ...config, data: options.data, logger });
  const file = await openFlowFile(join(options.data, 'train.arrow'));
  try {
    const fitted = await fitModels(file, prep, config, options);
    try {
      logger.info(
        {
          weights: { ae: fitted.weights.autoencoder, lstm: fitted.weights.lstm },
          anomaly: fitted.anomaly,
        },
        'ensemble fitted',
      );
      return await writeTrainedBundle({
        out: options.out,
        config,
        backend: backend.name,
        prep,
        file,
        fitted,
      });
    } finally {
      await fitted.runner.dispose();
    }
  } finally {
    await file.close();
  }
}
