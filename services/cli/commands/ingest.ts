import type { Command } from 'commander';

import { ingestDataset } from '../../../pipelines/arrow/ingest.js';
import {
  MISSING_VALUE_POLICIES,
  type MissingValuePolicy,
} from '../../../pipelines/dataset/field-parser.js';
import { createProgress } from '../../runtime/progress.js';
import type { CliContext } from '../context.js';
import { integer, list, oneOf } from '../parse.js';
import { ingestTable } from '../tables.js';

interface IngestFlags {
  out: string;
  dedupe: boolean;
  exclude: string[];
  missing: MissingValuePolicy;
  batchRows?: number;
}

export function ingestCommand(program: Command, context: CliContext): void {
  program
    .command('ingest')
    .description('turn a CICIoMT2024 CSV tree into Arrow IPC files, one per split')
    .argument('<dataset-dir>', 'the data set root, or its CSV folder with train/ and test/')
    .requiredOption('--out <dir>', 'folder for <split>.arrow, summary.json, rejections.jsonl')
    .option('--dedupe', 'drop exact duplicate flow records within each split', false)
    .option('--exclude <features>', 'comma-separated features to leave out, e.g. IAT', list, [])
    .option(
      '--missing <policy>',
      'empty or NaN fields: reject the row, or read as zero',
      oneOf('--missing', MISSING_VALUE_POLICIES),
      'reject',
    )
    .option('--batch-rows <n>', 'rows per Arrow record batch', integer('--batch-rows', 1))
    .action(async (datasetDir: string, flags: IngestFlags) => {
      const progress = createProgress({ label: 'ingest', total: 1, unit: 'bytes' });
      const summary = await ingestDataset({
        datasetDir,
        out: flags.out,
        dedupe: flags.dedupe,
        exclude: flags.exclude,
        missing: flags.missing,
        logger: context.logger,
        ...(flags.batchRows !== undefined && { batchRows: flags.batchRows }),
        onProgress: (done, total) => progress.update(done, total),
      });
      progress.stop();
      context.print(ingestTable(summary));
      context.logger.info(
        { out: flags.out, rejected: summary.rejections.total, report: summary.rejections.path },
        'ingest finished',
      );
    });
}
