import type { Command } from 'commander';

import { generateDataset } from '../../../pipelines/dataset/synth/index.js';
import type { LayoutName } from '../../../schemas/layouts.js';
import { createProgress } from '../../runtime/progress.js';
import type { CliContext } from '../context.js';
import { integer, oneOf } from '../parse.js';

interface SynthFlags {
  out: string;
  layout: LayoutName;
  rows: number;
  seed: number;
}

export function synthCommand(program: Command, context: CliContext): void {
  program
    .command('synth')
    .description(
      'write a GENERATED data set tree with the layout, file names and imbalance of CICIoMT2024',
    )
    .requiredOption('--out <dir>', 'folder to write the tree into')
    .option('--layout <45|39>', 'CSV layout', oneOf('--layout', ['45', '39'] as const), '45')
    .option('--rows <n>', 'data rows over both splits', integer('--rows', 1), 20_000)
    .option('--seed <n>', 'random seed', integer('--seed'), 1)
    .action(async (flags: SynthFlags) => {
      const progress = createProgress({ label: 'synth', total: flags.rows });
      const summary = await generateDataset({
        ...flags,
        onProgress: (written) => progress.update(written),
      });
      progress.stop();
      context.logger.info(
        {
          out: summary.out,
          files: summary.files.length,
          rows: summary.rows,
          layout: summary.layout,
        },
        'generated data set written',
      );
    });
}
