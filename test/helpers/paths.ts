import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from the compiled test file (dist/test/helpers/). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

/** The real CICIoMT2024 rows kept beside the repository in shared/fixtures. */
export function fixturesDir(): string {
  const dir =
    process.env.IOMT_FIXTURES ?? join(REPO_ROOT, '..', 'shared', 'fixtures', 'ciciomt2024');
  if (!existsSync(dir)) throw new Error(`fixtures not found at ${dir}; set IOMT_FIXTURES`);
  return dir;
}

/** A fresh temporary folder, and a function that removes it. */
export async function tempDir(
  prefix: string,
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `iomt-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
