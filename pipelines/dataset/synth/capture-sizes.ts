import { RELEASE_STEMS, releaseFileNames } from '../../../schemas/release.js';
import { captureFromFileName } from '../../../schemas/taxonomy.js';
import type { Label19, Split } from '../../../schemas/taxonomy.js';

/**
 * Rows per 19-class label in the real release (45-column layout). The per-label figures are
 * approximately those the data set's authors publish, adjusted so that they add up exactly to
 * the published 6-class totals (train: DDoS 4,779,859, DoS 1,805,529, MQTT 262,938, Benign
 * 192,732, Recon 103,726, Spoofing 16,047; test: DDoS 1,066,764, DoS 416,676, MQTT 63,715,
 * Benign 37,607, Recon 27,676, Spoofing 1,744). Only their proportions are used.
 */
export const LABEL_ROWS: Readonly<Record<Split, Readonly<Record<Label19, number>>>> = {
  train: {
    Benign: 192_732,
    ARP_Spoofing: 16_047,
    'Recon-OS_Scan': 16_832,
    'Recon-Ping_Sweep': 740,
    'Recon-Port_Scan': 83_981,
    'Recon-VulScan': 2_173,
    'MQTT-DDoS-Connect_Flood': 173_036,
    'MQTT-DDoS-Publish_Flood': 27_623,
    'MQTT-DoS-Connect_Flood': 12_773,
    'MQTT-DoS-Publish_Flood': 44_376,
    'MQTT-Malformed_Data': 5_130,
    'TCP_IP-DDoS-ICMP': 1_887_175,
    'TCP_IP-DDoS-SYN': 804_847,
    'TCP_IP-DDoS-TCP': 804_465,
    'TCP_IP-DDoS-UDP': 1_283_372,
    'TCP_IP-DoS-ICMP': 514_724,
    'TCP_IP-DoS-SYN': 540_498,
    'TCP_IP-DoS-TCP': 443_034,
    'TCP_IP-DoS-UDP': 307_273,
  },
  test: {
    Benign: 37_607,
    ARP_Spoofing: 1_744,
    'Recon-OS_Scan': 3_834,
    'Recon-Ping_Sweep': 169,
    'Recon-Port_Scan': 22_622,
    'Recon-VulScan': 1_051,
    'MQTT-DDoS-Connect_Flood': 41_916,
    'MQTT-DDoS-Publish_Flood': 8_416,
    'MQTT-DoS-Connect_Flood': 3_131,
    'MQTT-DoS-Publish_Flood': 8_505,
    'MQTT-Malformed_Data': 1_747,
    'TCP_IP-DDoS-ICMP': 349_699,
    'TCP_IP-DDoS-SYN': 172_397,
    'TCP_IP-DDoS-TCP': 182_598,
    'TCP_IP-DDoS-UDP': 362_070,
    'TCP_IP-DoS-ICMP': 98_432,
    'TCP_IP-DoS-SYN': 110_866,
    'TCP_IP-DoS-TCP': 102_017,
    'TCP_IP-DoS-UDP': 105_361,
  },
};

/** One capture file of the generated tree and how many data rows it gets. */
export interface CaptureSize {
  split: Split;
  /** File name, e.g. `TCP_IP-DDoS-ICMP3_train.pcap.csv`. */
  file: string;
  /** File name without the split suffix, e.g. `TCP_IP-DDoS-ICMP3`. */
  stem: string;
  label19: Label19;
  rows: number;
}

/** The smallest floor on rows per file: a sequence window of 10 rows fits in every capture. */
export const MIN_ROWS_PER_FILE = 10;

/** The floor once the row budget allows it. */
export const MAX_ROWS_PER_FILE_FLOOR = 20;

const SPLITS: readonly Split[] = ['train', 'test'];

// Numbered captures of one label are recordings of different lengths; this fixed pattern gives
// them unequal shares without making file sizes depend on the seed.
const NUMBERED_SHARES = [1.0, 0.86, 1.12, 0.94, 1.07, 0.9, 1.16, 0.95];

/** The number of capture files of the release: 51 train and 21 test. */
export function captureFileCount(): number {
  return SPLITS.reduce((n, split) => n + RELEASE_STEMS[split].length, 0);
}

/** The fewest rows `captureSizes` accepts: the smallest floor for every file. */
export function minimumRows(): number {
  return captureFileCount() * MIN_ROWS_PER_FILE;
}

/** Rows every file gets at least: 10, growing to 20 as the budget grows (20 from 20,000 rows). */
export function rowsFloor(rows: number): number {
  const scaled = Math.floor(rows / 1_000);
  return Math.min(MAX_ROWS_PER_FILE_FLOOR, Math.max(MIN_ROWS_PER_FILE, scaled));
}

/**
 * Splits `rows` over the 72 capture files of the release in the real data set's proportions,
 * with every file at or above `rowsFloor(rows)`; the counts add up to `rows` exactly.
 */
export function captureSizes(rows: number): CaptureSize[] {
  if (!Number.isSafeInteger(rows) || rows < minimumRows()) {
    throw new RangeError(`rows must be an integer of at least ${minimumRows()}, got ${rows}`);
  }

  const captures = releaseCaptures();
  const weights = captures.map((c) => c.weight);
  const counts = apportionWithFloor(rows, weights, rowsFloor(rows));
  return captures.map(({ split, file, stem, label19 }, i) => ({
    split,
    file,
    stem,
    label19,
    rows: counts[i] ?? 0,
  }));
}

interface WeightedCapture extends Omit<CaptureSize, 'rows'> {
  weight: number;
}

function releaseCaptures(): WeightedCapture[] {
  return SPLITS.flatMap((split) => {
    const files = releaseFileNames(split);
    const labels = files.map((file) => captureFromFileName(file).label19);
    return files.map((file, i) => {
      const label19 = labels[i] as Label19;
      const siblings = labels.filter((l) => l === label19).length;
      const rank = labels.slice(0, i).filter((l) => l === label19).length;
      return {
        split,
        file,
        stem: file.slice(0, -`_${split}.pcap.csv`.length),
        label19,
        weight: (LABEL_ROWS[split][label19] * numberedShare(rank, siblings)) / siblings,
      };
    });
  });
}

function numberedShare(rank: number, siblings: number): number {
  if (siblings === 1) return 1;

  // Normalised over the siblings so that the label keeps its total.
  const shares = Array.from({ length: siblings }, (_, i) => shareAt(i));
  const mean = shares.reduce((a, b) => a + b, 0) / siblings;
  return shareAt(rank) / mean;
}

function shareAt(rank: number): number {
  return NUMBERED_SHARES[rank % NUMBERED_SHARES.length] ?? 1;
}

/**
 * Water-filling: a file whose proportional share falls below the floor gets the floor, and the
 * rest of the budget is shared again among the others until no share falls below it. The
 * invariant budget >= floor * (files left) guarantees that at least one file is always left.
 */
function apportionWithFloor(total: number, weights: readonly number[], floor: number): number[] {
  const counts = weights.map(() => 0);
  let open = weights.map((_, i) => i);
  let budget = total;

  for (;;) {
    const sum = open.reduce((s, i) => s + (weights[i] ?? 0), 0);
    const short = open.filter((i) => (budget * (weights[i] ?? 0)) / sum < floor);
    if (short.length === 0) break;
    for (const i of short) counts[i] = floor;
    budget -= floor * short.length;
    open = open.filter((i) => !short.includes(i));
  }

  const shares = largestRemainder(
    budget,
    open.map((i) => weights[i] ?? 0),
  );
  open.forEach((i, k) => (counts[i] = shares[k] ?? 0));
  return counts;
}

/** Integer shares of `total` proportional to `weights` that add up to `total` exactly. */
function largestRemainder(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const quotas = weights.map((w) => (total * w) / sum);
  const shares = quotas.map(Math.floor);
  const left = total - shares.reduce((a, b) => a + b, 0);

  // Ties go to the earlier file, so the result never depends on sort stability.
  const order = quotas
    .map((q, i) => ({ i, rest: q - Math.floor(q) }))
    .sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (let k = 0; k < left; k++) {
    const pick = order[k % order.length];
    if (pick) shares[pick.i] = (shares[pick.i] ?? 0) + 1;
  }
  return shares;
}
