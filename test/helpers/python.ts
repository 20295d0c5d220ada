import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * The first python that imports `module`: IOMT_PYTHON, else the virtual environment made by
 * infra/python/setup.sh, else python3. Undefined when none does, and the tests that need it
 * skip; with IOMT_REQUIRE_PYTHON set (as CI does) a missing module is an error instead.
 */
export async function findPython(module: string): Promise<string | undefined> {
  const cache = process.env.IOMT_CACHE ?? join(homedir(), '.cache', 'iomt');
  const candidates = process.env.IOMT_PYTHON
    ? [process.env.IOMT_PYTHON]
    : [join(cache, 'venv', 'bin', 'python'), 'python3'];
  for (const python of candidates) {
    try {
      await promisify(execFile)(python, ['-c', `import ${module}`], { timeout: 30_000 });
      return python;
    } catch {
      // Not there, or without the module: try the next one.
    }
  }
  if (process.env.IOMT_REQUIRE_PYTHON) {
    throw new Error(
      `no python with ${module} among ${candidates.join(', ')} (IOMT_REQUIRE_PYTHON)`,
    );
  }
  return undefined;
}

export function skipReason(module: string): string {
  return `python with ${module} not available: run infra/python/setup.sh`;
}
