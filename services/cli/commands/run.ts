import type { Command } from 'commander';

import type { LayoutName } from '../../../schemas/layouts.js';
import type { StreamSummary } from '../../embedded/stream-split.js';
import { runMainJob } from '../../jobs/main-job.js';
import { parseBrokers } from '../../runtime/kafka-config.js';
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
  kafka?: string[];
}

function streamLine(s: StreamSummary, kafka?: readonly string[]): string {
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  const dropped = Object.entries(s.deadLettered).map(([code, n]) => `${code} ${n}`);
  return (
    (kafka
      ? `streamed the test split through Kafka at ${kafka.join(',')} (preprocess, window and ` +
        `score services in this process, the run's topics deleted after): `
      : `streamed the test split through preprocess, window and score in one process: `) +
    `${s.scored.toLocaleString('en-US')} of ${s.records.toLocaleString('en-US')} records scored, ` +
    `${Math.round(s.recordsPerSecond).toLocaleString('en-US')} records/s; latency p50 ` +
    `${ms(s.latencyMs.p50)}, p95 ${ms(s.latencyMs.p95)}, p99 ${ms(s.latencyMs.p99)}; ` +
    `live accuracy ${(s.accuracy * 100).toFixed(2)}%; dead-lettered: ` +
    `${dropped.length > 0 ? dropped.join(', ') : 'none'}`
  );
}

export function runCommand(program: Command, context: CliContext): void {
  program
    .command('run')
    .description(
      'the main job on generated data: synth, ingest, train, cross-validate, evaluate, stream',
    )
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
    .option(
      '--kafka <brokers>',
      'stream the test split through Kafka at these comma-separated host:port brokers',
      (value: string) => parseBrokers(value, '--kafka'),
    )
    .action(async (flags: RunFlags) => {
      const started = performance.now();
      const { kafka, ...job } = flags;
      const result = await runMainJob({
        ...job,
        ...(kafka && { kafka: { brokers: kafka } }),
        logger: context.logger,
        progress: (label, total, unit) => createProgress({ label, total, ...(unit && { unit }) }),
      });
      const { document, reportPath, metricsPath } = result.evaluation;
      context.print(ingestTable(result.ingest));
      context.print(evaluationTable(document));
      if (document.crossValidation) context.print(crossValidationTable(document.crossValidation));
      context.print(streamLine(result.stream, kafka));
      context.print(`model bundle: ${result.training.dir}`);
      context.print(`metrics: ${metricsPath}`);
      context.print(`report: ${reportPath}`);
      context.print(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    });
}
