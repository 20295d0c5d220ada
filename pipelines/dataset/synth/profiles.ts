/**
 * Per-class feature profiles of the generated data set, and the generative model they feed.
 *
 * The model, one capture file at a time:
 *
 * 1. A capture draws small offsets of its own (log rate, log payload size), so numbered captures
 *    of one label differ a little. The train and test files of a single-capture label share
 *    them, as in the real release, where they are two halves of one recording.
 * 2. A latent state of three independent components (rate, size, mix) evolves from row to row.
 *    Each component is `sqrt(1 - w) * a_t + sqrt(2 w) * sin(2 pi t / P + theta)`, where `a_t` is
 *    a unit-variance AR(1) process `a_t = phi a_{t-1} + sqrt(1 - phi^2) e_t`. Every component
 *    therefore has about unit variance whatever the class, so the dynamics (`phi`, `w`, `P`)
 *    change how rows follow each other, not what a single row looks like.
 * 3. Each row is one window of 10 packets. Each packet draws its protocol from the class mix
 *    (the mix component tilts it towards the class's main protocol), TCP flags, an application
 *    protocol, an initial TTL and a size (a protocol header plus, sometimes, a log-normal
 *    payload shifted by the size component). Fractions, counts, sums, min, max, mean, standard
 *    deviation and variance are computed from those packets, so they agree with each other the
 *    way the real features do.
 * 4. Window-level values come last: a log-normal `Rate` driven by the rate component, `IAT`,
 *    `Number` (10, sometimes 100) and, in the 45-column layout, the columns derived from them.
 *
 * Related classes are given nearly the same single-row profile on purpose: DoS and DDoS of one
 * protocol, the MQTT floods, the Recon scans. Their means differ a little, so a single-row
 * classifier learns something but stays well below 100% at 19 classes. What separates DoS from
 * DDoS is mainly time: one attacker gives a slow, persistent state (`phi` near 1), many bots
 * give a fast-moving one with a short periodic beat, which a sequence model over the last ten
 * or so rows can pick up.
 */
import { CLASSES_19 } from '../../../schemas/taxonomy.js';
import type { Label19 } from '../../../schemas/taxonomy.js';

/** Probabilities that a packet of the window is of each kind; they add up to 1. */
export interface ProtocolMix {
  tcp: number;
  udp: number;
  icmp: number;
  arp: number;
  igmp: number;
}

/** Probability that a TCP packet carries each flag. */
export interface TcpFlags {
  fin: number;
  syn: number;
  rst: number;
  psh: number;
  ack: number;
  ece: number;
  cwr: number;
}

/** Application protocols: the first six as shares of TCP packets, the last two of UDP ones. */
export interface AppMix {
  http: number;
  https: number;
  telnet: number;
  smtp: number;
  ssh: number;
  irc: number;
  dns: number;
  dhcp: number;
}

/** A log-normal distribution: the mean and standard deviation of the logarithm. */
export interface LogNormal {
  logMean: number;
  logSd: number;
}

/** Payload bytes on top of the protocol header: present with `prob`, log-normal in size. */
export interface PayloadProfile extends LogNormal {
  prob: number;
}

/** Initial TTL of IP packets: 64 unless 128 or 255; `hops` is the chance of a few hops lost. */
export interface TtlProfile {
  p128: number;
  p255: number;
  hops: number;
}

/** How the latent state of a capture evolves from row to row. */
export interface Dynamics {
  /** AR(1) coefficient of the persistent part, in [0, 1). */
  phi: number;
  /** Share of the variance in the periodic part, in [0, 1). */
  periodic: number;
  /** Period of the periodic part, in rows. */
  period: number;
}

/** Everything that makes the rows of one 19-class label look the way they do. */
export interface ClassProfile {
  protocols: ProtocolMix;
  flags: TcpFlags;
  apps: AppMix;
  payload: PayloadProfile;
  /** Packets per second of the window. */
  rate: LogNormal;
  ttl: TtlProfile;
  /** Packets seen in the flow so far (scales the 45-column `Header_Length`). */
  flowPackets: LogNormal;
  /** Probability that a row reports `Number` 100 instead of 10. */
  number100: number;
  dynamics: Dynamics;
  /** Centre of the 45-column `IAT` leakage artefact for this label. */
  iatLeak: number;
}

type ProfileParts = Omit<ClassProfile, 'apps' | 'ttl' | 'flowPackets' | 'number100' | 'iatLeak'> &
  Partial<Pick<ClassProfile, 'apps' | 'ttl' | 'flowPackets' | 'number100'>>;

const NO_APPS: AppMix = {
  http: 0,
  https: 0,
  telnet: 0,
  smtp: 0,
  ssh: 0,
  irc: 0,
  dns: 0,
  dhcp: 0,
};

const ESTABLISHED: TcpFlags = {
  fin: 0.02,
  syn: 0.02,
  rst: 0.01,
  psh: 0.45,
  ack: 0.97,
  ece: 0,
  cwr: 0,
};

const SCAN_FLAGS: TcpFlags = {
  fin: 0.06,
  syn: 0.6,
  rst: 0.3,
  psh: 0.03,
  ack: 0.35,
  ece: 0.02,
  cwr: 0.02,
};

// A flood: one protocol, a little background traffic of the three others.
const only = (kind: 'tcp' | 'udp' | 'icmp', share: number): ProtocolMix => {
  const rest = (1 - share) / 3;
  return { tcp: rest, udp: rest, icmp: rest, arp: rest, igmp: 0, [kind]: share };
};

// One attacker: a slow, persistent state. Many bots: a fast state with a short beat.
const DOS: Dynamics = { phi: 0.95, periodic: 0.05, period: 40 };
const DDOS: Dynamics = { phi: 0.3, periodic: 0.5, period: 6 };

const FLOOD_TTL: TtlProfile = { p128: 0.004, p255: 0.002, hops: 0.02 };
const BOTNET_TTL: TtlProfile = { p128: 0.012, p255: 0.006, hops: 0.04 };

/**
 * The `IAT` column of the 45-column release behaves like a capture timestamp: values near
 * 8.47e7 or 1.694e8 that differ a little from label to label and alone nearly separate the
 * classes. The generated data reproduces that leakage trap on purpose, so that excluding `IAT`
 * has something to demonstrate; these are the two centres.
 */
export const IAT_LEAK_CENTRES = [169_402_600, 84_701_300] as const;

/** Spacing of the per-label `IAT` values around their centre. */
export const IAT_LEAK_STEP = 12_000;

const PARTS: Record<Label19, ProfileParts> = {
  Benign: {
    protocols: { tcp: 0.6, udp: 0.3, icmp: 0.02, arp: 0.06, igmp: 0.02 },
    flags: { ...ESTABLISHED, psh: 0.5, ack: 0.92, fin: 0.03, syn: 0.04 },
    apps: { ...NO_APPS, https: 0.45, http: 0.08, ssh: 0.02, dns: 0.25, dhcp: 0.03 },
    payload: { prob: 0.45, logMean: 4.3, logSd: 1.3 },
    rate: { logMean: 5.0, logSd: 2.2 },
    ttl: { p128: 0.03, p255: 0.04, hops: 0.1 },
    flowPackets: { logMean: 3.4, logSd: 1.0 },
    number100: 0.02,
    dynamics: { phi: 0.9, periodic: 0.3, period: 24 },
  },
  ARP_Spoofing: {
    protocols: { tcp: 0.25, udp: 0.45, icmp: 0.02, arp: 0.28, igmp: 0 },
    flags: ESTABLISHED,
    apps: { ...NO_APPS, https: 0.3, dns: 0.1 },
    payload: { prob: 0.8, logMean: 5.6, logSd: 0.8 },
    rate: { logMean: 4.6, logSd: 1.5 },
    ttl: { p128: 0.02, p255: 0.02, hops: 0.15 },
    flowPackets: { logMean: 4.2, logSd: 0.9 },
    dynamics: { phi: 0.8, periodic: 0.2, period: 12 },
  },
  'Recon-OS_Scan': {
    protocols: { tcp: 0.8, udp: 0.1, icmp: 0.07, arp: 0.03, igmp: 0 },
    flags: { ...SCAN_FLAGS, fin: 0.1, ece: 0.06, cwr: 0.05, psh: 0.06 },
    payload: { prob: 0.12, logMean: 4.0, logSd: 1.0 },
    rate: { logMean: 6.4, logSd: 1.3 },
    ttl: { p128: 0.01, p255: 0.03, hops: 0.05 },
    dynamics: { phi: 0.6, periodic: 0.3, period: 16 },
  },
  'Recon-Ping_Sweep': {
    protocols: { tcp: 0.04, udp: 0.04, icmp: 0.8, arp: 0.12, igmp: 0 },
    flags: SCAN_FLAGS,
    payload: { prob: 0.95, logMean: 4.0, logSd: 0.2 },
    rate: { logMean: 4.2, logSd: 1.1 },
    dynamics: { phi: 0.5, periodic: 0.5, period: 10 },
  },
  'Recon-Port_Scan': {
    protocols: { tcp: 0.86, udp: 0.07, icmp: 0.04, arp: 0.03, igmp: 0 },
    flags: SCAN_FLAGS,
    payload: { prob: 0.06, logMean: 4.0, logSd: 1.0 },
    rate: { logMean: 6.9, logSd: 1.3 },
    dynamics: { phi: 0.7, periodic: 0.4, period: 20 },
  },
  'Recon-VulScan': {
    protocols: { tcp: 0.85, udp: 0.1, icmp: 0.02, arp: 0.03, igmp: 0 },
    flags: { ...ESTABLISHED, syn: 0.3, rst: 0.15, fin: 0.1, psh: 0.4, ack: 0.8 },
    apps: { ...NO_APPS, http: 0.4, https: 0.2, ssh: 0.05, telnet: 0.05, smtp: 0.03, dns: 0.3 },
    payload: { prob: 0.5, logMean: 5.4, logSd: 1.0 },
    rate: { logMean: 5.9, logSd: 1.4 },
    dynamics: { phi: 0.75, periodic: 0.2, period: 30 },
  },
  'MQTT-DDoS-Connect_Flood': {
    protocols: only('tcp', 0.97),
    flags: { ...ESTABLISHED, syn: 0.26, fin: 0.1, rst: 0.05, psh: 0.55, ack: 0.9 },
    payload: { prob: 0.6, logMean: 3.5, logSd: 0.5 },
    rate: { logMean: 8.2, logSd: 1.0 },
    ttl: BOTNET_TTL,
    flowPackets: { logMean: 5.0, logSd: 1.0 },
    number100: 0.1,
    dynamics: DDOS,
  },
  'MQTT-DDoS-Publish_Flood': {
    protocols: only('tcp', 0.97),
    flags: { ...ESTABLISHED, syn: 0.03, psh: 0.8, ack: 0.95 },
    payload: { prob: 0.9, logMean: 5.0, logSd: 0.7 },
    rate: { logMean: 8.4, logSd: 1.0 },
    ttl: BOTNET_TTL,
    flowPackets: { logMean: 5.2, logSd: 1.0 },
    number100: 0.1,
    dynamics: DDOS,
  },
  'MQTT-DoS-Connect_Flood': {
    protocols: only('tcp', 0.97),
    flags: { ...ESTABLISHED, syn: 0.22, fin: 0.12, rst: 0.06, psh: 0.52, ack: 0.9 },
    payload: { prob: 0.6, logMean: 3.45, logSd: 0.5 },
    rate: { logMean: 7.85, logSd: 1.0 },
    ttl: FLOOD_TTL,
    flowPackets: { logMean: 5.0, logSd: 1.0 },
    number100: 0.1,
    dynamics: DOS,
  },
  'MQTT-DoS-Publish_Flood': {
    protocols: only('tcp', 0.97),
    flags: { ...ESTABLISHED, syn: 0.04, psh: 0.77, ack: 0.95 },
    payload: { prob: 0.9, logMean: 4.9, logSd: 0.7 },
    rate: { logMean: 8.05, logSd: 1.0 },
    ttl: FLOOD_TTL,
    flowPackets: { logMean: 5.2, logSd: 1.0 },
    number100: 0.1,
    dynamics: DOS,
  },
  'MQTT-Malformed_Data': {
    protocols: { tcp: 0.93, udp: 0.04, icmp: 0.01, arp: 0.02, igmp: 0 },
    flags: { ...ESTABLISHED, syn: 0.1, rst: 0.15, fin: 0.1, psh: 0.6, ack: 0.9 },
    payload: { prob: 0.8, logMean: 4.6, logSd: 1.2 },
    rate: { logMean: 6.5, logSd: 1.3 },
    flowPackets: { logMean: 4.5, logSd: 1.0 },
    dynamics: { phi: 0.6, periodic: 0.1, period: 14 },
  },
  'TCP_IP-DDoS-ICMP': {
    protocols: only('icmp', 0.97),
    flags: ESTABLISHED,
    payload: { prob: 0.97, logMean: 3.3, logSd: 0.4 },
    rate: { logMean: 9.9, logSd: 1.0 },
    ttl: BOTNET_TTL,
    flowPackets: { logMean: 6.0, logSd: 1.0 },
    number100: 0.15,
    dynamics: DDOS,
  },
  'TCP_IP-DDoS-SYN': {
    protocols: only('tcp', 0.97),
    flags: { fin: 0.01, syn: 0.94, rst: 0.03, psh: 0.01, ack: 0.04, ece: 0, cwr: 0 },
    payload: { prob: 0.03, logMean: 3.0, logSd: 0.5 },
    rate: { logMean: 9.6, logSd: 1.0 },
    ttl: BOTNET_TTL,
    flowPackets: { logMean: 6.0, logSd: 1.0 },
    number100: 0.15,
    dynamics: DDOS,
  },
  'TCP_IP-DDoS-TCP': {
    protocols: only('tcp', 0.97),
    flags: { fin: 0.05, syn: 0.1, rst: 0.05, psh: 0.3, ack: 0.6, ece: 0.01, cwr: 0.01 },
    payload: { prob: 0.3, logMean: 4.0, logSd: 1.0 },
    rate: { logMean: 9.5, logSd: 1.0 },
    ttl: BOTNET_TTL,
    flowPackets: { logMean: 6.0, logSd: 1.0 },
    number100: 0.15,
    dynamics: DDOS,
  },
  'TCP_IP-DDoS-UDP': {
    protocols: only('udp', 0.97),
    flags: ESTABLISHED,
    payload: { prob: 1, logMean: 5.0, logSd: 0.6 },
    rate: { logMean: 10.1, logSd: 1.0 },
    ttl: BOTNET_TTL,
    flowPackets: { logMean: 6.0, logSd: 1.0 },
    number100: 0.15,
    dynamics: DDOS,
  },
  'TCP_IP-DoS-ICMP': {
    protocols: only('icmp', 0.97),
    flags: ESTABLISHED,
    payload: { prob: 0.97, logMean: 3.2, logSd: 0.4 },
    rate: { logMean: 9.55, logSd: 1.0 },
    ttl: FLOOD_TTL,
    flowPackets: { logMean: 6.0, logSd: 1.0 },
    number100: 0.15,
    dynamics: DOS,
  },
  'TCP_IP-DoS-SYN': {
    protocols: only('tcp', 0.97),
    flags: { fin: 0.01, syn: 0.92, rst: 0.05, psh: 0.01, ack: 0.06, ece: 0, cwr: 0 },
    payload: { prob: 0.03, logMean: 3.0, logSd: 0.5 },
    rate: { logMean: 9.25, logSd: 1.0 },
    ttl: FLOOD_TTL,
    flowPackets: { logMean: 6.0, logSd: 1.0 },
    number100: 0.15,
    dynamics: DOS,
  },
  'TCP_IP-DoS-TCP': {
    protocols: only('tcp', 0.97),
    flags: { fin: 0.05, syn: 0.12, rst: 0.06, psh: 0.3, ack: 0.58, ece: 0.01, cwr: 0.01 },
    payload: { prob: 0.3, logMean: 3.9, logSd: 1.0 },
    rate: { logMean: 9.15, logSd: 1.0 },
    ttl: FLOOD_TTL,
    flowPackets: { logMean: 6.0, logSd: 1.0 },
    number100: 0.15,
    dynamics: DOS,
  },
  'TCP_IP-DoS-UDP': {
    protocols: only('udp', 0.97),
    flags: ESTABLISHED,
    payload: { prob: 1, logMean: 4.9, logSd: 0.6 },
    rate: { logMean: 9.75, logSd: 1.0 },
    ttl: FLOOD_TTL,
    flowPackets: { logMean: 6.0, logSd: 1.0 },
    number100: 0.15,
    dynamics: DOS,
  },
};

const DEFAULT_TTL: TtlProfile = { p128: 0.01, p255: 0.01, hops: 0.05 };
const DEFAULT_FLOW_PACKETS: LogNormal = { logMean: 3.8, logSd: 1.0 };
const DEFAULT_NUMBER_100 = 0.05;

/** The profile of every 19-class label, defaults applied. */
export const PROFILES: Readonly<Record<Label19, ClassProfile>> = buildProfiles(PARTS);

function buildProfiles(parts: Record<Label19, ProfileParts>): Record<Label19, ClassProfile> {
  const entries = CLASSES_19.map((label) => {
    const part = parts[label];
    const profile: ClassProfile = {
      ...part,
      apps: part.apps ?? NO_APPS,
      ttl: part.ttl ?? DEFAULT_TTL,
      flowPackets: part.flowPackets ?? DEFAULT_FLOW_PACKETS,
      number100: part.number100 ?? DEFAULT_NUMBER_100,
      iatLeak: iatLeakFor(label),
    };
    return [label, profile] as const;
  });
  return Object.fromEntries(entries) as Record<Label19, ClassProfile>;
}

// The TCP_IP floods sit near the lower centre, everything else near the upper one; within a
// centre, labels are a fixed step apart.
function iatLeakFor(label: Label19): number {
  const lower = label.startsWith('TCP_IP-');
  const group = CLASSES_19.filter((l) => l.startsWith('TCP_IP-') === lower);
  const slot = group.indexOf(label) - (group.length - 1) / 2;
  return IAT_LEAK_CENTRES[lower ? 1 : 0] + slot * IAT_LEAK_STEP;
}
