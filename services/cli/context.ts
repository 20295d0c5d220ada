import type { Logger } from '../runtime/logger.js';

/** What every command gets from the CLI: the logger and where to print results. */
export interface CliContext {
  logger: Logger;
  print: (line: string) => void;
}
