import type { Split } from './taxonomy.js';

const SINGLE_CAPTURES = [
  'ARP_Spoofing',
  'Benign',
  'MQTT-DDoS-Connect_Flood',
  'MQTT-DDoS-Publish_Flood',
  'MQTT-DoS-Connect_Flood',
  'MQTT-DoS-Publish_Flood',
  'MQTT-Malformed_Data',
  'Recon-OS_Scan',
  'Recon-Ping_Sweep',
  'Recon-Port_Scan',
  'Recon-VulScan',
];

function numbered(stem: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${stem}${i + 1}`);
}

const TRAIN_ONLY = [
  ...numbered('TCP_IP-DDoS-ICMP', 8),
  ...numbered('TCP_IP-DDoS-SYN', 4),
  ...numbered('TCP_IP-DDoS-TCP', 4),
  ...numbered('TCP_IP-DDoS-UDP', 8),
  ...numbered('TCP_IP-DoS-ICMP', 4),
  ...numbered('TCP_IP-DoS-SYN', 4),
  ...numbered('TCP_IP-DoS-TCP', 4),
  ...numbered('TCP_IP-DoS-UDP', 4),
];

const TEST_ONLY = [
  'TCP_IP-DDoS-ICMP1',
  'TCP_IP-DDoS-ICMP2',
  'TCP_IP-DDoS-SYN',
  'TCP_IP-DDoS-TCP',
  'TCP_IP-DDoS-UDP1',
  'TCP_IP-DDoS-UDP2',
  'TCP_IP-DoS-ICMP',
  'TCP_IP-DoS-SYN',
  'TCP_IP-DoS-TCP',
  'TCP_IP-DoS-UDP',
];

/** Where the CSV files sit inside the data set's tree. */
export const CSV_DIR = ['WiFI_and_MQTT', 'attacks', 'CSV'] as const;

/** The capture file stems of the real CICIoMT2024 CSV release (51 train, 21 test). */
export const RELEASE_STEMS: Readonly<Record<Split, readonly string[]>> = {
  train: [...SINGLE_CAPTURES, ...TRAIN_ONLY],
  test: [...SINGLE_CAPTURES, ...TEST_ONLY],
};

export function releaseFileNames(split: Split): string[] {
  return RELEASE_STEMS[split].map((stem) => `${stem}_${split}.pcap.csv`);
}
