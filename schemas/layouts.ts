import { InvalidInputError } from './errors.js';

/** The name of a CICIoMT2024 CSV layout: its column count. */
export type LayoutName = '45' | '39';

/** One CSV layout of the data set: its columns in file order. */
export interface CsvLayout {
  readonly name: LayoutName;
  readonly columns: readonly string[];
  readonly description: string;
}

const COLUMNS_45 = [
  'Header_Length',
  'Protocol Type',
  'Duration',
  'Rate',
  'Srate',
  'Drate',
  'fin_flag_number',
  'syn_flag_number',
  'rst_flag_number',
  'psh_flag_number',
  'ack_flag_number',
  'ece_flag_number',
  'cwr_flag_number',
  'ack_count',
  'syn_count',
  'fin_count',
  'rst_count',
  'HTTP',
  'HTTPS',
  'DNS',
  'Telnet',
  'SMTP',
  'SSH',
  'IRC',
  'TCP',
  'UDP',
  'DHCP',
  'ARP',
  'ICMP',
  'IGMP',
  'IPv',
  'LLC',
  'Tot sum',
  'Min',
  'Max',
  'AVG',
  'Std',
  'Tot size',
  'IAT',
  'Number',
  // The misspelling is the data set's own.
  'Magnitue',
  'Radius',
  'Covariance',
  'Variance',
  'Weight',
] as const;

const DROPPED_IN_39 = new Set(['Srate', 'Drate', 'Magnitue', 'Radius', 'Covariance', 'Weight']);

// The copy served now renames Duration (which always held the IP TTL) and drops six columns.
const COLUMNS_39 = COLUMNS_45.filter((c) => !DROPPED_IN_39.has(c)).map((c) =>
  c === 'Duration' ? 'Time_To_Live' : c,
);

export const LAYOUT_45: CsvLayout = {
  name: '45',
  columns: COLUMNS_45,
  description: 'original release, 45 feature columns',
};

export const LAYOUT_39: CsvLayout = {
  name: '39',
  columns: COLUMNS_39,
  description: 'current release, 39 feature columns (Duration renamed Time_To_Live)',
};

export const LAYOUTS: readonly CsvLayout[] = [LAYOUT_45, LAYOUT_39];

/** How a file's header maps onto a known layout. */
export interface HeaderMatch {
  layout: CsvLayout;
  /** For each layout column, its index in the file's header. */
  sourceIndex: readonly number[];
}

export function layoutByName(name: string): CsvLayout {
  const layout = LAYOUTS.find((l) => l.name === name);
  if (!layout) {
    throw new InvalidInputError({
      code: 'LAYOUT_UNKNOWN',
      message: `unknown CSV layout "${name}"; known layouts: ${LAYOUTS.map((l) => l.name).join(', ')}`,
    });
  }
  return layout;
}

function normalise(cell: string): string {
  return cell.replace(/^\uFEFF/, '').trim();
}

/**
 * Detects the layout of a header. Columns may come in any order; any missing or unexpected
 * column is an error naming them, measured against the layout the header is closest to.
 */
export function matchHeader(header: readonly string[], file?: string): HeaderMatch {
  const cells = header.map(normalise);
  const scored = LAYOUTS.map((layout) => {
    const known = new Set(layout.columns);
    const present = new Set(cells);
    const missing = layout.columns.filter((c) => !present.has(c));
    const unexpected = cells.filter((c) => !known.has(c));
    return { layout, missing, unexpected };
  }).sort(
    (a, b) => a.missing.length + a.unexpected.length - b.missing.length - b.unexpected.length,
  );

  const best = scored[0];
  if (!best) throw new Error('no layouts defined');
  const duplicated = cells.filter((c, i) => cells.indexOf(c) !== i);
  if (best.missing.length === 0 && best.unexpected.length === 0 && duplicated.length === 0) {
    return { layout: best.layout, sourceIndex: best.layout.columns.map((c) => cells.indexOf(c)) };
  }

  const parts = [];
  if (best.missing.length > 0) parts.push(`missing columns: ${best.missing.join(', ')}`);
  if (best.unexpected.length > 0) parts.push(`unexpected columns: ${best.unexpected.join(', ')}`);
  if (duplicated.length > 0) parts.push(`duplicated columns: ${duplicated.join(', ')}`);
  throw new InvalidInputError({
    code: 'LAYOUT_UNKNOWN',
    message:
      `header matches no CICIoMT2024 layout (closest: ${best.layout.columns.length}-column); ` +
      parts.join('; '),
    context: { file, missing: best.missing, unexpected: best.unexpected },
  });
}
