import type { Command } from 'commander';

import { prepareTraining, writePreparation } from '../../../pipelines/training/prepare.js';
import type { BalanceTarget } from '../../../pipelines/features/balance.js';
import type { Granularity } from '../../../schemas/taxonomy.js';
import { createProgress } from '../../runtime/progress.js';
import type { CliContext } from '../context.js';
import { balanceTarget, fraction, integer, oneOf } from '../parse.js';
import { preparationTable } from '../tables.js';

interface PrepareFlags {
  data: string;
  out?: string;
  classes: Granularity;
  validation: number;
  blocks: number;
  captureDisjoint: boolean;
  balanceTarget?: BalanceTarget;
  seed: number;
}

export function prepareCommand(program: Command, context: CliContext): void {
  program
    .command('prepare')
    .description('carve validation from the training split, fit the scaler, balance the classes')
    .requiredOption('--data <dir>', 'folder with train.arrow written by iomt ingest')
    .option('--out <dir>', 'where scaler.json and preparation.json go (default: --data)')
    .option('--classes <19|6|2>', 'class granularity', oneOf('--classes', [19, 6, 2] as const), 6)
    .option(
      '--validation <fraction>',
      'share of training rows for validation',
      fraction('--validation'),
      0.2,
    )
    .option('--blocks <n>', 'contiguous blocks per capture', integer('--blocks', 2), 5)
    .option(
      '--capture-disjoint',
      'validation takes whole captures (blocks where a label has one)',
      false,
    )
    .option(
      '--balance-target <n|min|median|mean|max>',
      'rows per class after balancing',
      balanceTarget,
    )
    .option('--seed <n>', 'random seed', integer('--seed'), 1)
    .action(async (flags: PrepareFlags) => {
      const progress = createProgress({ label: 'fit scaler', total: 1 });
      const preparation = await prepareTraining({
        data: flags.data,
        classes: flags.classes,
        validationFraction: flags.validation,
        blocksPerCapture: flags.blocks,
        validationMode: flags.captureDisjoint ? 'capture-disjoint' : 'blocks',
        seed: flags.seed,
        logger: context.logger,
        ...(flags.balanceTarget !== undefined && { balanceTarget: flags.balanceTarget }),
        onFitProgress: (rows, total) => progress.update(rows, total),
      });
      progress.stop();
      context.print(preparationTable(preparation));
      const paths = await writePreparation(preparation, flags.out ?? flags.data);
      context.logger.info(paths, 'training data prepared');
    });
}
