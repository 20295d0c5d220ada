import type { Random } from '../../features/random.js';
import type { AppMix, ClassProfile, ProtocolMix, TcpFlags } from './profiles.js';

/** Packets simulated per row: the real rows average over windows of 10 packets. */
export const WINDOW_PACKETS = 10;

/** Largest Ethernet frame, in bytes. */
export const MAX_FRAME = 1514;

interface PacketKind {
  key: keyof ProtocolMix;
  /** Transport header bytes, as the 39-column `Header_Length` averages them. */
  header: number;
  /** IP protocol number; 0 for ARP, which has none. */
  protocol: number;
  /** Frame bytes without payload. */
  frame: number;
  carriesIp: boolean;
}

const KINDS: readonly PacketKind[] = [
  { key: 'tcp', header: 32, protocol: 6, frame: 66, carriesIp: true },
  { key: 'udp', header: 8, protocol: 17, frame: 42, carriesIp: true },
  { key: 'icmp', header: 8, protocol: 1, frame: 42, carriesIp: true },
  { key: 'arp', header: 0, protocol: 0, frame: 42, carriesIp: false },
  { key: 'igmp', header: 8, protocol: 2, frame: 46, carriesIp: true },
];

const NO_PROTOCOLS: ProtocolMix = { tcp: 0, udp: 0, icmp: 0, arp: 0, igmp: 0 };
const NO_FLAGS: TcpFlags = { fin: 0, syn: 0, rst: 0, psh: 0, ack: 0, ece: 0, cwr: 0 };
const NO_APPS: AppMix = { http: 0, https: 0, telnet: 0, smtp: 0, ssh: 0, irc: 0, dns: 0, dhcp: 0 };

// How strongly the mix component of the latent state tilts a window towards the main protocol.
const MIX_GAIN = 0.6;
// ARP frames are padded to the Ethernet minimum now and then.
const ARP_PADDED = 0.3;
const PADDED_FRAME = 60;
const MAX_HOPS = 12;

/** What the latent state asks of one window. */
export interface WindowDrive {
  /** Tilt towards the class's main protocol (the mix component). */
  mix: number;
  /** Shift of the log payload size (the size component plus the capture's offset). */
  sizeShift: number;
}

/**
 * Counts and sums over one simulated window of packets, from which a row's fractions, counts
 * and size statistics are derived. One instance is refilled for every row.
 */
export class PacketWindow {
  readonly protocols: Record<keyof ProtocolMix, number> = { ...NO_PROTOCOLS };
  readonly flags: Record<keyof TcpFlags, number> = { ...NO_FLAGS };
  readonly apps: Record<keyof AppMix, number> = { ...NO_APPS };
  headerSum = 0;
  ttlSum = 0;
  protocolSum = 0;
  lastProtocol = 0;
  sizeSum = 0;
  sizeSquares = 0;
  sizeMin = 0;
  sizeMax = 0;

  private readonly cumulative = new Float64Array(KINDS.length);

  /** Simulates `WINDOW_PACKETS` packets of `profile` and records their counts and sums. */
  fill(profile: ClassProfile, drive: WindowDrive, rng: Random): void {
    this.reset();
    this.tiltMix(profile.protocols, drive.mix);

    for (let p = 0; p < WINDOW_PACKETS; p++) {
      const kind = this.pickKind(rng);
      this.headerSum += kind.header;
      this.protocolSum += kind.protocol;
      this.lastProtocol = kind.protocol;
      this.countKind(kind, profile, rng);
      if (kind.carriesIp) this.ttlSum += drawTtl(profile, rng);
      this.addSize(drawSize(kind, profile, drive.sizeShift, rng));
    }
  }

  /** Sample variance of the frame sizes, computed exactly from integer sums. */
  sizeVariance(): number {
    const n = WINDOW_PACKETS;
    return (n * this.sizeSquares - this.sizeSum * this.sizeSum) / (n * (n - 1));
  }

  // The hot paths below name every field instead of looping over keys: V8 keeps named
  // accesses on these fixed-shape objects fast, while computed keys are several times slower.
  private reset(): void {
    Object.assign(this.protocols, NO_PROTOCOLS);
    Object.assign(this.flags, NO_FLAGS);
    Object.assign(this.apps, NO_APPS);
    this.headerSum = 0;
    this.ttlSum = 0;
    this.protocolSum = 0;
    this.lastProtocol = 0;
    this.sizeSum = 0;
    this.sizeSquares = 0;
    this.sizeMin = Infinity;
    this.sizeMax = 0;
  }

  private tiltMix(mix: ProtocolMix, tilt: number): void {
    const main = KINDS.reduce((best, k) => (mix[k.key] > mix[best.key] ? k : best));
    const boost = Math.exp(MIX_GAIN * tilt);
    let total = 0;
    KINDS.forEach((kind, i) => {
      total += mix[kind.key] * (kind === main ? boost : 1);
      this.cumulative[i] = total;
    });
    for (let i = 0; i < KINDS.length; i++) this.cumulative[i] = (this.cumulative[i] ?? 0) / total;
  }

  private pickKind(rng: Random): PacketKind {
    const u = rng.next();
    for (let i = 0; i < KINDS.length - 1; i++) {
      if (u < (this.cumulative[i] ?? 1)) return KINDS[i] as PacketKind;
    }
    return KINDS[KINDS.length - 1] as PacketKind;
  }

  private countKind(kind: PacketKind, profile: ClassProfile, rng: Random): void {
    const counts = this.protocols;
    switch (kind.key) {
      case 'tcp':
        counts.tcp += 1;
        this.drawFlags(profile.flags, rng);
        this.drawTcpApp(profile.apps, rng);
        return;
      case 'udp':
        counts.udp += 1;
        this.drawUdpApp(profile.apps, rng);
        return;
      case 'icmp':
        counts.icmp += 1;
        return;
      case 'arp':
        counts.arp += 1;
        return;
      case 'igmp':
        counts.igmp += 1;
        return;
    }
  }

  private drawFlags(p: TcpFlags, rng: Random): void {
    const f = this.flags;
    f.fin += hit(p.fin, rng);
    f.syn += hit(p.syn, rng);
    f.rst += hit(p.rst, rng);
    f.psh += hit(p.psh, rng);
    f.ack += hit(p.ack, rng);
    f.ece += hit(p.ece, rng);
    f.cwr += hit(p.cwr, rng);
  }

  // Thresholds on one uniform draw pick at most one application protocol per packet.
  private drawTcpApp(p: AppMix, rng: Random): void {
    const a = this.apps;
    const u = rng.next();
    const http = p.http;
    const https = http + p.https;
    const telnet = https + p.telnet;
    const smtp = telnet + p.smtp;
    const ssh = smtp + p.ssh;
    if (u < http) a.http += 1;
    else if (u < https) a.https += 1;
    else if (u < telnet) a.telnet += 1;
    else if (u < smtp) a.smtp += 1;
    else if (u < ssh) a.ssh += 1;
    else if (u < ssh + p.irc) a.irc += 1;
  }

  private drawUdpApp(p: AppMix, rng: Random): void {
    const u = rng.next();
    if (u < p.dns) this.apps.dns += 1;
    else if (u < p.dns + p.dhcp) this.apps.dhcp += 1;
  }

  private addSize(size: number): void {
    this.sizeSum += size;
    this.sizeSquares += size * size;
    if (size < this.sizeMin) this.sizeMin = size;
    if (size > this.sizeMax) this.sizeMax = size;
  }
}

// A flag with probability 0 costs no draw; that is the same for every seed, so stays stable.
function hit(p: number, rng: Random): number {
  return p > 0 && rng.next() < p ? 1 : 0;
}

function drawTtl(profile: ClassProfile, rng: Random): number {
  const { p128, p255, hops } = profile.ttl;
  const u = rng.next();
  const initial = u < p255 ? 255 : u < p255 + p128 ? 128 : 64;
  return rng.next() < hops ? initial - rng.int(1, MAX_HOPS) : initial;
}

function drawSize(kind: PacketKind, profile: ClassProfile, shift: number, rng: Random): number {
  if (!kind.carriesIp) return rng.next() < ARP_PADDED ? PADDED_FRAME : kind.frame;

  const { prob, logMean, logSd } = profile.payload;
  if (rng.next() >= prob) return kind.frame;
  const payload = Math.round(Math.exp(logMean + shift + logSd * rng.normal()));
  return Math.min(MAX_FRAME, kind.frame + payload);
}
