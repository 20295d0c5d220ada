import type { Command } from 'commander';

import type { LayoutName } from '../../../schemas/layouts.js';
import { runMainJob } from '../../jobs/main-job.js';
import { createProgress } from '../../runtime/progress.js';
import type { CliContext } from '../context.js';
import { integer, oneOf } from '../parse.js';

function cvFolds(value: string): number {
  const folds = integer('--cv-folds', 0)(value);
  return folds === 0 ? 0 : integer('--cv-folds', 3)(value);
}
import { crossValidationTable, evaluationTable, ingestTable } from '../tables.js';

interface RunFlags {
  work: string;
  rows: number;
  seed: number;
  layout: LayoutName;
  cvFolds: number;
  epochs?: number;
}

export function runCommand(program: Command, context: CliContext): void {
  program
    .command('run')
    .description('the main job on generated data: synth, ingest, train, cross-validate, evaluate')
    .option('--work <dir>', 'working folder', 'out/main-job')
    .option('--rows <n>', 'rows of generated data', integer('--rows', 1), 20_000)
    .option('--seed <n>', 'random seed', integer('--seed'), 1)
    .option('--layout <45|39>', 'CSV layout', oneOf('--layout', ['45', '39'] as const), '45')
    .option('--cv-folds <k>', 'cross-validation folds (3 or more), 0 for none', cvFolds, 5)
    .option(
      '--epochs <n>',
      "training epochs (default: the quick profile's)",
      integer('--epochs', 1),
    )
    .action(async (flags: RunFlags) => {
      const started = performance.now();
      const result = await runMainJob({
        ...flags,
        logger: context.logger,
        progress: (label, total, unit) => createProgress({ label, total, ...(unit && { unit }) }),
      });
      const { document, reportPath, metricsPath } = result.evaluation;
      context.print(ingestTable(result.ingest));
      context.print(evaluationTable(document));
      if (document.crossValidation) context.print(crossValidationTable(document.crossValidation));
      context.print(`model bundle: ${result.training.dir}`);
      context.print(`metrics: ${metricsPath}`);
      context.print(`report: ${reportPath}`);
      context.print(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    });
}
