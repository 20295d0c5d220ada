import type { Command } from 'commander';

import type { LayoutName } from '../../../schemas/layouts.js';
import { runMainJob } from '../../jobs/main-job.js';
import { createProgress } from '../../runtime/progress.js';
import type { CliContext } from '../context.js';
import { integer, oneOf } from '../parse.js';
import { preparationTable } from '../tables.js';

interface RunFlags {
  work: string;
  rows: number;
  seed: number;
  layout: LayoutName;
}

export function runCommand(program: Command, context: CliContext): void {
  program
    .command('run')
    .description('the main job on generated data: synth, ingest, fit the scaler, balance, summary')
    .option('--work <dir>', 'working folder', 'out/main-job')
    .option('--rows <n>', 'rows of generated data', integer('--rows', 1), 20_000)
    .option('--seed <n>', 'random seed', integer('--seed'), 1)
    .option('--layout <45|39>', 'CSV layout', oneOf('--layout', ['45', '39'] as const), '45')
    .action(async (flags: RunFlags) => {
      const started = performance.now();
      const result = await runMainJob({
        ...flags,
        logger: context.logger,
        progress: (label, total, unit) => createProgress({ label, total, ...(unit && { unit }) }),
      });
      const test = result.ingest.splits.test?.classes6;
      context.print(preparationTable(result.preparation, test));
      const rejected = result.ingest.rejections.total;
      context.print(
        `rows rejected at ingest: ${rejected} (report: ${result.ingest.rejections.path})`,
      );
      context.print(`scaler: ${result.scalerPath}`);
      context.print(`arrow files: ${result.arrowDir}`);
      context.print(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    });
}
