import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { InvalidInputError } from '../../schemas/errors.js';
import { CSV_DIR } from '../../schemas/release.js';
import { captureFromFileName, type CaptureInfo, type Split } from '../../schemas/taxonomy.js';

/** One capture file of a data set tree. */
export interface CaptureFile extends CaptureInfo {
  path: string;
}

export const SPLITS: readonly Split[] = ['train', 'test'];

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Finds the folder that holds `train/` and `test/`: either the data set's root (the official
 * `WiFI_and_MQTT/attacks/CSV` below it) or that CSV folder itself.
 */
export async function findCsvRoot(datasetDir: string): Promise<string> {
  const official = join(datasetDir, ...CSV_DIR);
  for (const candidate of [official, datasetDir]) {
    if (
      (await isDirectory(join(candidate, 'train'))) ||
      (await isDirectory(join(candidate, 'test')))
    ) {
      return candidate;
    }
  }
  throw new InvalidInputError({
    code: 'DATASET_TREE',
    message:
      `${datasetDir} is not a CICIoMT2024 tree: expected ${CSV_DIR.join('/')}/{train,test}/ ` +
      'below it, or train/ and test/ in it',
    context: { file: datasetDir },
  });
}

/**
 * Lists the capture files of a data set tree, split by split, sorted by name. Every `.csv` file
 * must be named like a capture of its own folder's split; anything else is an error, never a
 * silent "other".
 */
export async function listCaptureFiles(datasetDir: string): Promise<CaptureFile[]> {
  const root = await findCsvRoot(datasetDir);
  const files: CaptureFile[] = [];
  for (const split of SPLITS) {
    const dir = join(root, split);
    if (!(await isDirectory(dir))) continue;

    const names = (await readdir(dir)).filter((n) => n.endsWith('.csv')).sort();
    for (const name of names) {
      const info = captureFromFileName(name);
      if (info.split !== split) {
        throw new InvalidInputError({
          code: 'DATASET_TREE',
          message: `${name} is a ${info.split} capture but lies in ${split}/`,
          context: { file: join(dir, name) },
        });
      }
      files.push({ ...info, path: join(dir, name) });
    }
  }

  if (files.length === 0) {
    throw new InvalidInputError({
      code: 'DATASET_TREE',
      message: `no capture files (*.pcap.csv) under ${root}`,
      context: { file: root },
    });
  }
  return files;
}
