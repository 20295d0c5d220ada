import { layoutByName } from '../../../schemas/layouts.js';
import type { LayoutName } from '../../../schemas/layouts.js';
import type { FlowRecord } from './flow-record.js';
import { formatFloat, formatInt, formatTenths } from './number-format.js';
import { WINDOW_PACKETS } from './packet-window.js';

/** Writes one column of a flow record as CSV text. */
type Cell = (r: FlowRecord) => string;

const tenths =
  (pick: (r: FlowRecord) => number): Cell =>
  (r) =>
    formatTenths(pick(r));

const float =
  (pick: (r: FlowRecord) => number): Cell =>
  (r) =>
    formatFloat(pick(r));

const int =
  (pick: (r: FlowRecord) => number): Cell =>
  (r) =>
    formatInt(pick(r));

const ipPackets = (r: FlowRecord): number => WINDOW_PACKETS - r.window.protocols.arp;

// Columns that read the same in both layouts.
const SHARED: Readonly<Record<string, Cell>> = {
  Duration: float((r) => r.ttl),
  Time_To_Live: float((r) => r.ttl),
  Rate: float((r) => r.rate),
  Srate: float((r) => r.rate),
  // Constant zero in the real release too.
  Drate: () => '0.0',
  fin_flag_number: tenths((r) => r.window.flags.fin),
  syn_flag_number: tenths((r) => r.window.flags.syn),
  rst_flag_number: tenths((r) => r.window.flags.rst),
  psh_flag_number: tenths((r) => r.window.flags.psh),
  ack_flag_number: tenths((r) => r.window.flags.ack),
  ece_flag_number: tenths((r) => r.window.flags.ece),
  cwr_flag_number: tenths((r) => r.window.flags.cwr),
  ack_count: int((r) => r.window.flags.ack),
  syn_count: int((r) => r.window.flags.syn),
  fin_count: int((r) => r.window.flags.fin),
  rst_count: int((r) => r.window.flags.rst),
  HTTP: tenths((r) => r.window.apps.http),
  HTTPS: tenths((r) => r.window.apps.https),
  DNS: tenths((r) => r.window.apps.dns),
  Telnet: tenths((r) => r.window.apps.telnet),
  SMTP: tenths((r) => r.window.apps.smtp),
  SSH: tenths((r) => r.window.apps.ssh),
  IRC: tenths((r) => r.window.apps.irc),
  TCP: tenths((r) => r.window.protocols.tcp),
  UDP: tenths((r) => r.window.protocols.udp),
  DHCP: tenths((r) => r.window.apps.dhcp),
  ARP: tenths((r) => r.window.protocols.arp),
  ICMP: tenths((r) => r.window.protocols.icmp),
  IGMP: tenths((r) => r.window.protocols.igmp),
  IPv: tenths(ipPackets),
  LLC: tenths(ipPackets),
  'Tot sum': int((r) => r.totSum),
  Min: int((r) => r.window.sizeMin),
  Max: int((r) => r.window.sizeMax),
  AVG: float((r) => r.avg),
  Std: float((r) => r.std),
  'Tot size': float((r) => r.avg),
  Number: int((r) => r.number),
  Magnitue: float((r) => r.magnitude),
  Radius: float((r) => r.radius),
  Covariance: float((r) => r.covariance),
  Variance: float((r) => r.variance),
  Weight: float((r) => r.weight),
};

// Columns whose meaning differs between the layouts, following the real files: the original
// release averages over a flow (and carries the IAT artefact), the current copy does not.
const BY_LAYOUT: Readonly<Record<LayoutName, Readonly<Record<string, Cell>>>> = {
  '45': {
    Header_Length: float((r) => r.headerFlow),
    'Protocol Type': float((r) => r.protocolMean),
    IAT: float((r) => r.iatLeak),
  },
  '39': {
    Header_Length: float((r) => r.headerMean),
    'Protocol Type': int((r) => r.window.lastProtocol),
    IAT: float((r) => r.iatInverse),
  },
};

/** The header line of a layout, as in the real files: its columns in order, comma separated. */
export function headerLine(layout: LayoutName): string {
  return layoutByName(layout).columns.join(',');
}

/** Returns a function that writes a flow record as one CSV line (no line break) of a layout. */
export function rowFormatter(layout: LayoutName): (record: FlowRecord) => string {
  const cells = layoutByName(layout).columns.map((column) => cellFor(layout, column));

  return (record) => {
    let line = (cells[0] as Cell)(record);
    for (let i = 1; i < cells.length; i++) line += ',' + (cells[i] as Cell)(record);
    return line;
  };
}

function cellFor(layout: LayoutName, column: string): Cell {
  const cell = BY_LAYOUT[layout][column] ?? SHARED[column];
  if (!cell) throw new Error(`no generator for column "${column}" of layout ${layout}`);
  return cell;
}
