import type { Command } from 'commander';

import { BACKEND_ORDER, type BackendName } from '../../../pipelines/models/backend.js';
import type { BalanceTarget } from '../../../pipelines/features/balance.js';
import { trainModels, type EpochReport } from '../../../pipelines/training/train.js';
import type { Granularity } from '../../../schemas/taxonomy.js';
import { createProgress } from '../../runtime/progress.js';
import type { CliContext } from '../context.js';
import { balanceTarget, fraction, integer, oneOf, positiveNumber } from '../parse.js';
import { trainingTable } from '../tables.js';

interface TrainFlags {
  data: string;
  out: string;
  quick: boolean;
  epochs?: number;
  batchSize?: number;
  window?: number;
  classes?: Granularity;
  seed?: number;
  patience?: number;
  anomalyQuantile?: number;
  classificationWeight?: number;
  captureDisjoint?: boolean;
  balanceTarget?: BalanceTarget;
  backend?: BackendName;
}

/** One short line per epoch: each model's training and validation loss and accuracy. */
export function epochNote(e: EpochReport): string {
  const part = (name: string, m: EpochReport['lstm']) =>
    `${name} loss ${m.loss.toFixed(3)} acc ${m.accuracy.toFixed(3)} ` +
    `val ${m.validationLoss.toFixed(3)}/${m.validationAccuracy.toFixed(3)}`;
  return `epoch ${e.epoch + 1}: ${part('ae', e.autoencoder)} | ${part('lstm', e.lstm)}`;
}

export function trainCommand(program: Command, context: CliContext): void {
  program
    .command('train')
    .description('train the autoencoder, the LSTM and their ensemble; write a model bundle')
    .requiredOption('--data <dir>', 'folder with train.arrow written by iomt ingest')
    .requiredOption('--out <dir>', 'model bundle folder to write')
    .option('--quick', 'the short profile for demos and tests (default: the paper settings)', false)
    .option('--epochs <n>', 'epochs (paper: 50)', integer('--epochs', 1))
    .option('--batch-size <n>', 'mini-batch size (paper: 64)', integer('--batch-size', 1))
    .option('--window <n>', 'records per LSTM window, T', integer('--window', 1))
    .option('--classes <19|6|2>', 'class granularity', oneOf('--classes', [19, 6, 2] as const))
    .option('--seed <n>', 'random seed', integer('--seed'))
    .option(
      '--patience <n>',
      'early stop after n epochs without a better validation loss',
      integer('--patience', 0),
    )
    .option(
      '--anomaly-quantile <q>',
      'benign quantile for the unknown-attack flag',
      fraction('--anomaly-quantile'),
    )
    .option(
      '--classification-weight <w>',
      'λ in reconstruction MSE + λ · cross-entropy',
      positiveNumber('--classification-weight'),
    )
    .option('--capture-disjoint', 'validation takes whole captures where a label has several')
    .option(
      '--balance-target <n|min|median|mean|max>',
      'rows per class after balancing',
      balanceTarget,
    )
    .option(
      '--backend <name>',
      `tfjs backend: ${BACKEND_ORDER.join(', ')}`,
      oneOf('--backend', BACKEND_ORDER),
    )
    .action(async (flags: TrainFlags) => {
      const progress = createProgress({ label: 'train', total: 1 });
      const result = await trainModels({
        data: flags.data,
        out: flags.out,
        profile: flags.quick ? 'quick' : 'paper',
        epochs: flags.epochs,
        batchSize: flags.batchSize,
        windowLength: flags.window,
        classes: flags.classes,
        seed: flags.seed,
        patience: flags.patience,
        anomalyQuantile: flags.anomalyQuantile,
        classificationWeight: flags.classificationWeight,
        validationMode: flags.captureDisjoint ? 'capture-disjoint' : undefined,
        balanceTarget: flags.balanceTarget,
        backend: flags.backend,
        logger: context.logger,
        onBatch: (samples, total) => progress.update(samples, total),
        onEpoch: (epoch) => {
          progress.update(0, undefined, epochNote(epoch));
          context.logger.info({ epoch: epoch.epoch + 1 }, epochNote(epoch));
        },
      });
      progress.stop();
      context.print(trainingTable(result));
      context.logger.info({ bundle: result.dir }, 'model bundle written');
    });
}
