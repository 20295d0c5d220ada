import { join } from 'node:path';

import { pino, type Logger } from 'pino';

import { InvalidOptionError } from '../../schemas/errors.js';
import { classesOf } from '../../schemas/taxonomy.js';
import { openFlowFile } from '../arrow/flow-reader.js';
import { readRowIndex } from '../arrow/row-index.js';
import { friedmanTest } from '../evaluation/friedman.js';
import type { CrossValidationSummary, ModelName } from '../evaluation/metrics-document.js';
import { balanceClasses } from '../features/balance.js';
import { assignFolds } from '../features/folds.js';
import { fitScaler } from '../features/scaler.js';
import { selectionMask } from '../features/window-batches.js';
import { scoreSplit } from '../models/score-split.js';
import { Scorer } from '../models/scorer.js';
import type { TrainingConfig } from './config.js';
import { fitModels, labelColumn } from './fit-models.js';
import { accuracy } from './validation-scores.js';

export interface CrossValidateOptions {
  /** Folder with `train.arrow`. */
  data: string;
  config: TrainingConfig;
  /** At least 3; default 5. */
  folds?: number;
  /** Contiguous blocks each capture is cut into before blocks are dealt to folds; default 10. */
  blocksPerCapture?: number;
  logger?: Logger;
  onFold?: (fold: number, accuracies: Record<ModelName, number>) => void;
}

function rowsWhere(fold: Uint8Array, keep: (f: number) => boolean): Uint32Array {
  const rows: number[] = [];
  fold.forEach((f, row) => {
    if (keep(f)) rows.push(row);
  });
  return Uint32Array.from(rows);
}

/**
 * Stratified k-fold cross-validation of the three models over the official training split. The
 * folds are made of contiguous capture blocks, so no window straddles two folds. For fold k the
 * models are tested on fold k, the ensemble is weighed on fold k+1 (mod k), and the models are
 * trained on the rest, with their own scaler and balancing. A Friedman test compares the three
 * models' fold accuracies.
 */
export async function crossValidate(
  options: CrossValidateOptions,
): Promise<CrossValidationSummary> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const { config } = options;
  const folds = options.folds ?? 5;
  // One fold tests, the next weighs the ensemble: at least one more must be left to train on.
  if (!Number.isInteger(folds) || folds < 3) {
    throw new InvalidOptionError('folds', `must be an integer of at least 3, got ${folds}`);
  }
  const file = await openFlowFile(join(options.data, 'train.arrow'));
  const accuracies: Record<ModelName, number[]> = { autoencoder: [], lstm: [], ensemble: [] };

  try {
    const index = await readRowIndex(file);
    const assignment = assignFolds(index, file.info.captures, {
      folds,
      blocksPerCapture: options.blocksPerCapture ?? 10,
      seed: config.seed,
    });
    const classOf = index[labelColumn(config)];

    for (let k = 0; k < folds; k++) {
      const weighing = (k + 1) % folds;
      const trainRows = rowsWhere(assignment.fold, (f) => f !== k && f !== weighing);
      const scaler = await fitScaler(file.batches(), file.info, {
        rowMask: selectionMask(trainRows, index.rows),
      });
      const balanced = balanceClasses(classOf, trainRows, {
        classes: classesOf(config.classes).length,
        seed: config.seed,
        target: config.balanceTarget,
      });
      const set = {
        scaler,
        segment: assignment.segment,
        balancedRows: balanced.rows,
        validationRows: rowsWhere(assignment.fold, (f) => f === weighing),
        rows: index.rows,
      };

      const fitted = await fitModels(file, set, config);
      const scorer = new Scorer({ ...fitted, weights: fitted.weights, anomaly: fitted.anomaly });
      try {
        const tested = await scoreSplit(file.batches(), scorer, {
          scaler,
          info: file.info,
          windowLength: config.windowLength,
          labels: labelColumn(config),
          segment: assignment.segment,
          multiplicity: selectionMask(
            rowsWhere(assignment.fold, (f) => f === k),
            index.rows,
          ),
        });
        const fold = {
          autoencoder: accuracy(tested.aePredicted, tested.labels),
          lstm: accuracy(tested.lstmPredicted, tested.labels),
          ensemble: accuracy(tested.predicted, tested.labels),
        };
        for (const name of Object.keys(fold) as ModelName[]) accuracies[name].push(fold[name]);
        logger.info({ fold: k + 1, folds, ...fold }, 'cross-validation fold done');
        options.onFold?.(k, fold);
      } finally {
        await scorer.dispose();
      }
    }
  } finally {
    await file.close();
  }

  const table = accuracies.autoencoder.map((_, k) => [
    accuracies.autoencoder[k] ?? 0,
    accuracies.lstm[k] ?? 0,
    accuracies.ensemble[k] ?? 0,
  ]);
  return { folds, accuracies, friedman: friedmanTest(table) };
}
