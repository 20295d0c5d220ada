import { InvalidInputError } from './errors.js';

/** Class granularity: the 19 file-name labels, the paper's 6 categories, or benign/attack. */
export type Granularity = 19 | 6 | 2;

export type Split = 'train' | 'test';

/** The 19 labels, in the order used for class indices. */
export const CLASSES_19 = [
  'Benign',
  'ARP_Spoofing',
  'Recon-OS_Scan',
  'Recon-Ping_Sweep',
  'Recon-Port_Scan',
  'Recon-VulScan',
  'MQTT-DDoS-Connect_Flood',
  'MQTT-DDoS-Publish_Flood',
  'MQTT-DoS-Connect_Flood',
  'MQTT-DoS-Publish_Flood',
  'MQTT-Malformed_Data',
  'TCP_IP-DDoS-ICMP',
  'TCP_IP-DDoS-SYN',
  'TCP_IP-DDoS-TCP',
  'TCP_IP-DDoS-UDP',
  'TCP_IP-DoS-ICMP',
  'TCP_IP-DoS-SYN',
  'TCP_IP-DoS-TCP',
  'TCP_IP-DoS-UDP',
] as const;

export const CLASSES_6 = [
  'Benign',
  'Spoofing',
  'Recon',
  'MQTT',
  'TCP_IP-DDoS',
  'TCP_IP-DoS',
] as const;

export const CLASSES_2 = ['Benign', 'Attack'] as const;

export type Label19 = (typeof CLASSES_19)[number];
export type Label6 = (typeof CLASSES_6)[number];
export type Label2 = (typeof CLASSES_2)[number];

/** The labels of one flow record at every granularity. */
export interface Labels {
  label19: Label19;
  label6: Label6;
  label2: Label2;
}

/** What a capture file's name says about it. */
export interface CaptureInfo extends Labels {
  /** File name without `.pcap.csv`, e.g. `TCP_IP-DDoS-ICMP1_train`: unique in the data set. */
  capture: string;
  split: Split;
}

export function classesOf(granularity: Granularity): readonly string[] {
  switch (granularity) {
    case 19:
      return CLASSES_19;
    case 6:
      return CLASSES_6;
    case 2:
      return CLASSES_2;
  }
}

/** The paper's consolidation of the 18 attack types into their categories. */
export function consolidate(label19: Label19): Label6 {
  if (label19 === 'Benign') return 'Benign';
  if (label19 === 'ARP_Spoofing') return 'Spoofing';
  if (label19.startsWith('Recon-')) return 'Recon';
  if (label19.startsWith('MQTT-')) return 'MQTT';
  if (label19.startsWith('TCP_IP-DDoS-')) return 'TCP_IP-DDoS';
  return 'TCP_IP-DoS';
}

export function labelsOf(label19: Label19): Labels {
  return {
    label19,
    label6: consolidate(label19),
    label2: label19 === 'Benign' ? 'Benign' : 'Attack',
  };
}

export function labelAt(labels: Labels, granularity: Granularity): string {
  if (granularity === 19) return labels.label19;
  return granularity === 6 ? labels.label6 : labels.label2;
}

const KNOWN_19 = new Set<string>(CLASSES_19);
const FILE_NAME = /^(.+?)(\d*)_(train|test)\.pcap\.csv$/;

/**
 * Reads the labels from a capture's file name (the data set has no label column). The 19-class
 * label is the name without `_(train|test).pcap.csv` and without trailing digits; a name that
 * does not give a known label is an error.
 */
export function captureFromFileName(fileName: string): CaptureInfo {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const match = FILE_NAME.exec(base);
  const label = match?.[1];
  const split = match?.[3];
  if (!match || !label || !KNOWN_19.has(label) || (split !== 'train' && split !== 'test')) {
    throw new InvalidInputError({
      code: 'LABEL_UNKNOWN',
      message:
        `file name "${base}" is not a CICIoMT2024 capture: expected ` +
        '<label>[N]_(train|test).pcap.csv with one of the 19 known labels',
      context: { file: fileName },
    });
  }

  return {
    capture: base.slice(0, -'.pcap.csv'.length),
    split,
    ...labelsOf(label as Label19),
  };
}
