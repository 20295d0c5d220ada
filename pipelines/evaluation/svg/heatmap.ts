import { PALETTE, approximateTextWidth, escapeXml, percent, px, svgFrame, text } from './common.js';

/** Options of `heatmap`. */
export interface HeatmapOptions {
  id: string;
  title: string;
  description?: string;
  /** One label per row (true class for a confusion matrix). */
  rowLabels: readonly string[];
  /** One label per column (predicted class). */
  columnLabels: readonly string[];
  /** `values[r][c]`: counts. */
  values: readonly (readonly number[])[];
  xLabel: string;
  yLabel: string;
  /** Width of the whole figure. Default 560. */
  width?: number;
}

const MIN_CELL = 22;
const MAX_CELL = 72;

/**
 * A matrix of counts as coloured cells. The colour is the count's share of its row (for a
 * confusion matrix: the share of the true class predicted as each class), so small classes
 * read as clearly as large ones; each cell shows its count, and its share when it fits.
 */
export function heatmap(options: HeatmapOptions): string {
  const rows = options.rowLabels.length;
  const cols = options.columnLabels.length;
  const width = options.width ?? 560;
  const left = 28 + longest(options.rowLabels);
  const bottom = 40 + longest(options.columnLabels) * 0.72;
  const top = 16;
  const legendWidth = 64;
  const cell = Math.max(MIN_CELL, Math.min(MAX_CELL, (width - left - legendWidth) / cols));
  const height = top + rows * cell + bottom;
  const totalWidth = Math.max(width, left + cols * cell + legendWidth);

  const body = [
    cells(options, left, top, cell),
    rowLabels(options.rowLabels, left, top, cell),
    columnLabels(options.columnLabels, left, top + rows * cell, cell),
    text(left + (cols * cell) / 2, height - 8, options.xLabel, {
      'text-anchor': 'middle',
      fill: PALETTE.ink,
      'font-weight': 600,
    }),
    text(12, top - 4, options.yLabel, { fill: PALETTE.ink, 'font-weight': 600 }),
    colorBar(`${options.id}-scale`, left + cols * cell + 18, top, Math.min(rows * cell, 220)),
  ];
  return svgFrame({ ...options, width: totalWidth, height }, body.join(''));
}

function longest(labels: readonly string[]): number {
  return Math.max(0, ...labels.map((label) => approximateTextWidth(label, 11)));
}

function cells(options: HeatmapOptions, left: number, top: number, cell: number): string {
  const fontSize = Math.max(9, Math.min(13, cell / 4.6));
  const parts: string[] = [];

  options.values.forEach((row, r) => {
    const total = row.reduce((sum, n) => sum + n, 0);
    row.forEach((count, c) => {
      const share = total > 0 ? count / total : 0;
      const x = left + c * cell;
      const y = top + r * cell;
      const fill = sequentialColor(share);
      const ink = share > 0.5 ? '#ffffff' : PALETTE.ink;
      const tip = `${options.rowLabels[r] ?? r} → ${options.columnLabels[c] ?? c}: ${count}`;
      parts.push(
        `<rect class="cell" x="${px(x)}" y="${px(y)}" width="${px(cell)}" height="${px(cell)}" ` +
          `fill="${fill}" stroke="#ffffff" stroke-width="1"><title>${escapeXml(tip)}</title></rect>`,
      );
      parts.push(cellText(x, y, cell, count, share, fontSize, ink));
    });
  });
  return `<g class="cells">${parts.join('')}</g>`;
}

function cellText(
  x: number,
  y: number,
  cell: number,
  count: number,
  share: number,
  fontSize: number,
  ink: string,
): string {
  const cx = x + cell / 2;
  const showShare = cell >= 44 && count > 0;
  const countY = y + cell / 2 + (showShare ? -2 : fontSize / 3);
  const label = text(cx, countY, compactCount(count), {
    'text-anchor': 'middle',
    fill: ink,
    'font-size': px(fontSize),
    'font-weight': count > 0 ? 600 : 400,
  });
  if (!showShare) return label;

  return (
    label +
    text(cx, countY + fontSize + 1, percent(share, 0), {
      'text-anchor': 'middle',
      fill: ink,
      'font-size': px(fontSize * 0.8),
      opacity: 0.85,
    })
  );
}

/** 1234 as `1234`, 12345 as `12.3k`, 1234567 as `1.23M`: counts that fit in a cell. */
export function compactCount(count: number): string {
  if (count < 10_000) return String(count);
  if (count < 1_000_000) return `${(count / 1000).toFixed(count < 100_000 ? 1 : 0)}k`;
  return `${(count / 1_000_000).toFixed(2)}M`;
}

function rowLabels(labels: readonly string[], left: number, top: number, cell: number): string {
  return labels
    .map((label, r) =>
      text(left - 8, top + r * cell + cell / 2 + 4, label, {
        'text-anchor': 'end',
        fill: PALETTE.ink,
        'font-size': 11,
      }),
    )
    .join('');
}

// Column labels turned 40 degrees, so long class names fit under narrow cells.
function columnLabels(labels: readonly string[], left: number, y: number, cell: number): string {
  return labels
    .map((label, c) => {
      const x = left + c * cell + cell / 2;
      return text(x, y + 14, label, {
        'text-anchor': 'end',
        fill: PALETTE.ink,
        'font-size': 11,
        transform: `rotate(-40 ${px(x)} ${px(y + 14)})`,
      });
    })
    .join('');
}

// A vertical colour bar for shares 0 .. 100 %.
function colorBar(id: string, x: number, y: number, height: number): string {
  const stops = PALETTE.sequential
    .map((color, i, all) => `<stop offset="${px(i / (all.length - 1))}" stop-color="${color}"/>`)
    .join('');
  return (
    `<defs><linearGradient id="${escapeXml(id)}" x1="0" y1="1" x2="0" y2="0">${stops}</linearGradient></defs>` +
    `<rect x="${px(x)}" y="${px(y)}" width="12" height="${px(height)}" fill="url(#${escapeXml(id)})" ` +
    `stroke="${PALETTE.grid}"/>` +
    text(x + 16, y + 8, '100%', { fill: PALETTE.muted, 'font-size': 10 }) +
    text(x + 16, y + height, '0%', { fill: PALETTE.muted, 'font-size': 10 }) +
    text(x + 16, y + height / 2 + 4, 'of row', { fill: PALETTE.muted, 'font-size': 10 })
  );
}

/** The sequential palette at `share` in [0, 1], interpolated between its stops. */
export function sequentialColor(share: number): string {
  const stops = PALETTE.sequential;
  const t = Math.min(1, Math.max(0, share)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(t));
  const a = hexToRgb(stops[i] ?? '#ffffff');
  const b = hexToRgb(stops[i + 1] ?? '#ffffff');
  const mix = a.map((v, k) => Math.round(v + ((b[k] ?? 0) - v) * (t - i)));
  return `#${mix.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

function hexToRgb(hex: string): number[] {
  return [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16));
}
