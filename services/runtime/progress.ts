import cliProgress from 'cli-progress';

/** A progress bar for one long step; a no-op when stderr is not a terminal. */
export interface Progress {
  /** Moves the bar; `note` (e.g. the last epoch's loss) is shown after the counts. */
  update(done: number, total?: number, note?: string): void;
  stop(): void;
}

export interface ProgressOptions {
  label: string;
  total: number;
  /** How `done` is shown: plain counts or bytes. Default counts. */
  unit?: 'rows' | 'bytes';
  /** Default: when stderr is a terminal. */
  enabled?: boolean;
}

function formatBytes(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${Math.round(n / 1024)} KiB`;
}

export function createProgress(options: ProgressOptions): Progress {
  if (!(options.enabled ?? process.stderr.isTTY)) return { update: () => {}, stop: () => {} };

  const bytes = options.unit === 'bytes';
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${options.label.padEnd(12)} {bar} {percentage}% | {shown} | {eta_formatted} {note}`,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const shown = (done: number, total: number) =>
    bytes ? `${formatBytes(done)}/${formatBytes(total)}` : `${done}/${total} rows`;
  let total = options.total;
  let note = '';
  bar.start(total, 0, { shown: shown(0, total), note });
  return {
    update(done, newTotal, newNote) {
      if (newTotal !== undefined && newTotal !== total) {
        total = newTotal;
        bar.setTotal(total);
      }
      note = newNote ?? note;
      bar.update(done, { shown: shown(done, total), note });
    },
    stop() {
      bar.stop();
    },
  };
}
