import type { FlowRowIndex } from '../../schemas/flow-batch.js';
import { RELEASE_STEMS } from '../../schemas/release.js';
import { CLASSES_19, CLASSES_6, captureFromFileName, consolidate } from '../../schemas/taxonomy.js';
import type { Label19 } from '../../schemas/taxonomy.js';
import { Random } from '../../pipelines/features/random.js';

/** One capture of a made-up row index: its name, its 19-class label and its row count. */
export interface CaptureSpec {
  name: string;
  label: Label19;
  rows: number;
}

/**
 * A row index with each capture's rows contiguous in file order (seq 0, 1, ... within each), or
 * shuffled with `shuffleSeed` when it is given.
 */
export function rowIndexOf(specs: readonly CaptureSpec[], shuffleSeed?: number): FlowRowIndex {
  const rows: [number, number][] = [];
  specs.forEach((spec, c) => {
    for (let s = 0; s < spec.rows; s++) rows.push([c, s]);
  });
  if (shuffleSeed !== undefined) new Random(shuffleSeed).shuffle(rows);

  const label19 = (c: number): number => CLASSES_19.indexOf(specs[c]?.label ?? 'Benign');
  const label6 = (c: number): number => CLASSES_6.indexOf(consolidate(specs[c]?.label ?? 'Benign'));
  return {
    rows: rows.length,
    capture: Int32Array.from(rows, ([c]) => c),
    seq: Uint32Array.from(rows, ([, s]) => s),
    label19: Uint8Array.from(rows, ([c]) => label19(c)),
    label6: Uint8Array.from(rows, ([c]) => label6(c)),
    label2: Uint8Array.from(rows, ([c]) => (specs[c]?.label === 'Benign' ? 0 : 1)),
  };
}

/**
 * The training captures of the real release, each with a seeded row count drawn from
 * `minRows .. maxRows`, so captures are uneven.
 */
export function releaseSpecs(seed: number, minRows: number, maxRows: number): CaptureSpec[] {
  const random = new Random(seed);
  return RELEASE_STEMS.train.map((stem) => ({
    name: stem,
    label: captureFromFileName(`${stem}_train.pcap.csv`).label19,
    rows: random.int(minRows, maxRows),
  }));
}

/** The capture names, in spec order, as the split functions take them. */
export function captureNames(specs: readonly CaptureSpec[]): string[] {
  return specs.map((s) => s.name);
}
