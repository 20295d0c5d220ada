import { InvalidInputError } from '../../schemas/errors.js';
import type { CsvLayout } from '../../schemas/layouts.js';
import { readHeader } from './csv-reader.js';
import type { CaptureFile } from './tree.js';

/**
 * The one layout of all `files`, read from their headers. Files of both layouts are refused,
 * naming a few captures of each, for `task` ("ingest", "replay") to take one at a time; the
 * first header that is not a layout stops it.
 */
export async function commonLayout(
  files: readonly CaptureFile[],
  task: string,
): Promise<CsvLayout> {
  const captures = new Map<string, string[]>();
  let layout: CsvLayout | undefined;
  for (const file of files) {
    const match = await readHeader(file.path);
    layout ??= match.layout;
    captures.set(match.layout.name, [...(captures.get(match.layout.name) ?? []), file.capture]);
  }
  if (!layout) throw new Error('no capture files');
  if (captures.size > 1) {
    const parts = [...captures].map(([name, c]) => `${name}-column: ${c.slice(0, 3).join(', ')}`);
    throw new InvalidInputError({
      code: 'LAYOUT_UNKNOWN',
      message: `capture files mix CSV layouts (${parts.join('; ')}); ${task} one layout at a time`,
    });
  }
  return layout;
}
