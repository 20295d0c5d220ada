#!/usr/bin/env node
import { Command, CommanderError } from 'commander';

import { IomtError, InvalidOptionError } from '../../schemas/errors.js';
import { createLogger } from '../runtime/logger.js';
import { downstreamCommands } from './commands/downstream.js';
import { evaluateCommand } from './commands/evaluate.js';
import { ingestCommand } from './commands/ingest.js';
import { kafkaCommands } from './commands/kafka.js';
import { latencyCommand } from './commands/latency.js';
import { prepareCommand } from './commands/prepare.js';
import { runCommand } from './commands/run.js';
import { synthCommand } from './commands/synth.js';
import { traceCommand } from './commands/trace.js';
import { trainCommand } from './commands/train.js';
import type { CliContext } from './context.js';

/** Exit codes: 1 for a failure, 2 for a usage error (a bad flag or a missing argument). */
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

function buildProgram(context: CliContext): Command {
  const program = new Command('iomt')
    .description('Intrusion detection for medical IoT traffic (CICIoMT2024): data, models, streams')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  synthCommand(program, context);
  ingestCommand(program, context);
  prepareCommand(program, context);
  trainCommand(program, context);
  evaluateCommand(program, context);
  runCommand(program, context);
  kafkaCommands(program, context);
  downstreamCommands(program, context);
  latencyCommand(program, context);
  traceCommand(program, context);
  return program;
}

function describeError(error: unknown): { message: string; code: number } {
  if (error instanceof InvalidOptionError) return { message: error.message, code: EXIT_USAGE };
  if (error instanceof IomtError) return { message: error.message, code: EXIT_FAILURE };
  if (error instanceof Error) return { message: error.message, code: EXIT_FAILURE };
  return { message: String(error), code: EXIT_FAILURE };
}

async function main(argv: readonly string[]): Promise<number> {
  const logger = createLogger({ name: 'iomt' });
  const context: CliContext = { logger, print: (line) => process.stdout.write(`${line}\n`) };
  const program = buildProgram(context);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed help, the version or its own usage message.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    const cause = error instanceof InvalidOptionError ? error : (error as Error)?.cause;
    const { message, code } = describeError(cause instanceof InvalidOptionError ? cause : error);
    logger.debug({ err: error }, 'command failed');
    process.stderr.write(`iomt: error: ${message}\n`);
    return code;
  }
}

process.exitCode = await main(process.argv);
