import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { REPO_ROOT } from './paths.js';

/** How long a SIGTERMed service may take to stop before it is SIGKILLed. */
const STOP_GRACE_MS = 10_000;

/** A stage service, `iomt serve <stage>`, running as a child process. */
export interface ServedStage {
  readonly child: ChildProcess;
  /** Everything it logged so far (JSON lines, at info). */
  readonly log: () => string;
  /** The end of its log, for failure messages. */
  readonly tail: () => string;
  /** True until it exits. */
  readonly running: () => boolean;
  /** Resolves once its log matches `pattern`; fails when it exits or `timeoutMs` pass first. */
  readonly waitFor: (pattern: RegExp, timeoutMs: number) => Promise<void>;
  /** SIGKILL; resolves once it has exited. */
  readonly kill: () => Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
  readonly stop: () => Promise<void>;
}

/**
 * Starts `iomt serve <stage> ...args` from dist/, logging at info whatever the caller's level,
 * with `env` over the caller's environment.
 */
export function serveStage(
  stage: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): ServedStage {
  const main = join(REPO_ROOT, 'dist', 'services', 'cli', 'main.js');
  const child = spawn(process.execPath, [main, 'serve', stage, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, IOMT_LOG_LEVEL: 'info', ...env },
  });
  let log = '';
  const append = (chunk: Buffer) => (log += chunk.toString());
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const running = () => child.exitCode === null && child.signalCode === null;
  // A failed spawn rejects `once` with the error; `running()` already tells that story.
  const exited = once(child, 'exit').catch(() => undefined);

  const served: ServedStage = {
    child,
    log: () => log,
    tail: () => log.slice(-4000),
    running,
    waitFor: async (pattern, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(log)) {
        if (!running()) {
          throw new Error(`${stage} service exited before ${pattern}: ${served.tail()}`);
        }
        if (Date.now() > deadline) {
          throw new Error(
            `${stage} service did not log ${pattern} in ${timeoutMs} ms: ${served.tail()}`,
          );
        }
        await sleep(100);
      }
    },
    kill: async () => {
      if (!running()) return;
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (!running()) return;
      child.kill('SIGTERM');
      // Unreferenced: a pending grace timer would hold the test process open after the exit.
      await Promise.race([exited, sleep(STOP_GRACE_MS, undefined, { ref: false })]);
      await served.kill();
    },
  };
  return served;
}
