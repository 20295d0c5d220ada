import { readFile } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';

/** The CPU's model name from /proc/cpuinfo, or 'unknown'. */
export async function cpuModel(): Promise<string> {
  try {
    const text = await readFile('/proc/cpuinfo', 'utf8');
    return /^model name\s*:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Rows describing the machine a benchmark ran on, for the printed and markdown tables. */
export async function machineRows(): Promise<string[][]> {
  return [
    ['CPU', await cpuModel()],
    ['cores', String(availableParallelism())],
    ['memory', `${(totalmem() / 2 ** 30).toFixed(1)} GiB`],
    ['Node', process.version],
  ];
}

/** A GitHub-flavoured markdown table, for docs/benchmarks.md. */
export function markdownTable(header: readonly string[], rows: readonly string[][]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A count per second, rounded, with thousands separators. */
export function rate(n: number, seconds: number): string {
  return Math.round(n / seconds).toLocaleString('en-US');
}
