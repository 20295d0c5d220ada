import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

import { REPO_ROOT } from './paths.js';

const run = promisify(execFile);

/** Where a spare broker keeps its data and listens. Every field is optional. */
export interface SpareBrokerOptions {
  /** Data, config, logs and pid file. Default $IOMT_CACHE/kafka/spare-data (~/.cache/iomt). */
  data?: string;
  /** Client listener port. Default 19092. */
  port?: number;
  /** Controller listener port. Default 19093. */
  controllerPort?: number;
  /** Seconds start.sh may take (the first start formats the storage). Default 150. */
  startTimeoutS?: number;
}

/**
 * A second single-node broker, started and stopped with infra/kafka/start.sh and stop.sh, for
 * tests that take a broker away; the broker of `npm run kafka:start` is left alone. Its data
 * folder is kept across runs, so a broker a crashed run left behind is found and stopped.
 */
export class SpareBroker {
  /** Its bootstrap address, host:port. */
  readonly address: string;
  private readonly data: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly startTimeoutS: number;

  constructor(options: SpareBrokerOptions = {}) {
    const cache = process.env.IOMT_CACHE ?? join(homedir(), '.cache', 'iomt');
    const port = options.port ?? 19092;
    this.data = options.data ?? join(cache, 'kafka', 'spare-data');
    this.address = `127.0.0.1:${port}`;
    this.startTimeoutS = options.startTimeoutS ?? 150;
    this.env = {
      ...process.env,
      IOMT_KAFKA_DATA: this.data,
      IOMT_KAFKA_PORT: String(port),
      IOMT_KAFKA_CONTROLLER_PORT: String(options.controllerPort ?? 19093),
      IOMT_KAFKA_START_TIMEOUT: String(this.startTimeoutS - 30),
      IOMT_KAFKA_STOP_TIMEOUT: '30',
    };
  }

  /** Starts it (or finds it running) and resolves once it answers a client request. */
  start(): Promise<void> {
    return this.script('start.sh', this.startTimeoutS);
  }

  /** A clean stop: SIGTERM, a controlled shutdown, SIGKILL after 30 s. */
  stop(): Promise<void> {
    return this.script('stop.sh', 60);
  }

  /** SIGKILLs the broker's JVM, no shutdown at all, and resolves once it is gone. */
  async kill(): Promise<void> {
    const pid = Number(await readFile(join(this.data, 'broker.pid'), 'utf8'));
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes('kafka.Kafka')) throw new Error(`pid ${pid} is not a Kafka broker`);
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && (await alive(pid)); i++) await sleep(100);
    if (await alive(pid)) throw new Error(`the broker (pid ${pid}) survived SIGKILL`);
  }

  private async script(name: string, timeoutS: number): Promise<void> {
    const path = join(REPO_ROOT, 'infra', 'kafka', name);
    try {
      await run('bash', [path], { env: this.env, timeout: timeoutS * 1000 });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new Error(`${name} failed for ${this.address}: ${stderr.slice(-3000)}`, {
        cause: error,
      });
    }
  }
}

/** Alive and not a zombie, as stop.sh tells. */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && stat.split(' ')[2] !== 'Z';
}
