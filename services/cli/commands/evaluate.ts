import type { Command } from 'commander';

import { evaluateBundle } from '../../../pipelines/evaluation/evaluate-bundle.js';
import { loadBundle } from '../../../pipelines/models/bundle.js';
import { SCORING_ENGINES, type ScoringEngine } from '../../../pipelines/models/bundle-runner.js';
import {
  selectBackend,
  BACKEND_ORDER,
  type BackendName,
} from '../../../pipelines/models/backend.js';
import { resolveTrainingConfig } from '../../../pipelines/training/config.js';
import { crossValidate } from '../../../pipelines/training/cross-validate.js';
import type { CliContext } from '../context.js';
import { integer, oneOf } from '../parse.js';
import { crossValidationTable, evaluationTable } from '../tables.js';

interface EvaluateFlags {
  bundle: string;
  data: string;
  out?: string;
  engine: ScoringEngine;
  cvFolds?: number;
  cvEpochs?: number;
  backend?: BackendName;
}

export function evaluateCommand(program: Command, context: CliContext): void {
  program
    .command('evaluate')
    .description('score the test split with a model bundle; write metrics.json and report.html')
    .requiredOption('--bundle <dir>', 'model bundle folder written by iomt train')
    .requiredOption('--data <dir>', 'folder with test.arrow (and train.arrow for --cv-folds)')
    .option('--out <dir>', 'where metrics.json and report.html go (default: <bundle>/evaluation)')
    .option(
      '--engine <onnx|tfjs>',
      'what runs the models',
      oneOf('--engine', SCORING_ENGINES),
      'onnx',
    )
    .option(
      '--cv-folds <k>',
      'also cross-validate the three models on k folds of the training split',
      integer('--cv-folds', 3),
    )
    .option(
      '--cv-epochs <n>',
      "epochs per cross-validation fold (default: the bundle's)",
      integer('--cv-epochs', 1),
    )
    .option(
      '--backend <name>',
      `tfjs backend: ${BACKEND_ORDER.join(', ')}`,
      oneOf('--backend', BACKEND_ORDER),
    )
    .action(async (flags: EvaluateFlags) => {
      await selectBackend({ requested: flags.backend, logger: context.logger });
      let crossValidation;
      if (flags.cvFolds !== undefined) {
        const { manifest } = await loadBundle(flags.bundle);
        const config = resolveTrainingConfig({
          ...(manifest.training as object),
          ...(flags.cvEpochs !== undefined && { epochs: flags.cvEpochs }),
        });
        crossValidation = await crossValidate({
          data: flags.data,
          config,
          folds: flags.cvFolds,
          logger: context.logger,
        });
      }
      const evaluation = await evaluateBundle({
        bundle: flags.bundle,
        data: flags.data,
        engine: flags.engine,
        logger: context.logger,
        ...(flags.out !== undefined && { out: flags.out }),
        ...(crossValidation && { crossValidation }),
      });
      context.print(evaluationTable(evaluation.document));
      if (crossValidation) context.print(crossValidationTable(crossValidation));
      context.print(`report: ${evaluation.reportPath}`);
    });
}
