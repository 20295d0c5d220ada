import { axes } from './axes.js';
import {
  PALETTE,
  approximateTextWidth,
  escapeXml,
  linearScale,
  niceTicks,
  px,
  svgFrame,
  text,
} from './common.js';
import type { Frame } from './common.js';

/** One class's curve, or a legend entry saying why it has none. */
export interface RocSeries {
  name: string;
  color: string;
  dash?: string | undefined;
  /** Null when the class has no AUC; then `note` says why. */
  auc: number | null;
  note?: string;
  fpr: readonly number[];
  tpr: readonly number[];
}

/** Options of `rocChart`. */
export interface RocChartOptions {
  id: string;
  title: string;
  description?: string;
  curves: readonly RocSeries[];
  /** Where the legend goes: below the plot (a narrow figure) or right of it. Default 'below'. */
  legend?: 'below' | 'right';
}

const PLOT = 400;
const FRAME: Frame = { x: 64, y: 16, width: PLOT, height: PLOT };
const PLOT_RIGHT = FRAME.x + PLOT;
const LEGEND_ROW = 18;

/**
 * ROC curves of several classes on one square plot, with the chance diagonal and a legend that
 * gives each class's AUC (or why it has none): below the plot, in two columns when they fit, or
 * in one column right of it.
 */
export function rocChart(options: RocChartOptions): string {
  const x = linearScale([0, 1], [FRAME.x, FRAME.x + PLOT]);
  const y = linearScale([0, 1], [FRAME.y + PLOT, FRAME.y]);
  const ticks = niceTicks(0, 1, 5);
  const format = (v: number): string => v.toFixed(1);
  const grid = axes({
    frame: FRAME,
    x,
    y,
    xTicks: ticks,
    yTicks: ticks,
    xLabel: 'false positive rate',
    yLabel: 'true positive rate',
    xFormat: format,
    yFormat: format,
  });

  const diagonal =
    `<path class="chance" d="M${px(x(0))} ${px(y(0))}L${px(x(1))} ${px(y(1))}" ` +
    `stroke="${PALETTE.reference}" stroke-dasharray="4 4" fill="none"/>`;
  const curves = options.curves.map((curve) => drawCurve(curve, x, y)).join('');
  const layout = legendLayout(options.curves, options.legend ?? 'below');
  const legend = options.curves.map((curve, i) => legendEntry(curve, i, layout)).join('');
  const width = Math.max(PLOT_RIGHT + 24, layout.left + layout.columns * layout.column);
  const height = Math.max(FRAME.y + PLOT + 48, layout.top + layout.rows * LEGEND_ROW);
  return svgFrame(
    { ...options, width: Math.ceil(width), height: Math.ceil(height) },
    `${grid}${diagonal}<g class="curves">${curves}</g><g class="legend">${legend}</g>`,
  );
}

interface LegendLayout {
  /** Where the first entry's row starts. */
  left: number;
  top: number;
  columns: number;
  rows: number;
  /** Width of one column. */
  column: number;
  /** Offset of the value within a column. */
  valueAt: number;
}

function legendLayout(curves: readonly RocSeries[], place: 'below' | 'right'): LegendLayout {
  const nameWidth = Math.max(0, ...curves.map((c) => approximateTextWidth(c.name)));
  const valueWidth = Math.max(0, ...curves.map((c) => approximateTextWidth(valueOf(c))));
  const valueAt = 24 + nameWidth + 10;
  const column = valueAt + valueWidth + 16;
  if (place === 'right') {
    return {
      left: PLOT_RIGHT + 32,
      top: FRAME.y + 12,
      columns: 1,
      rows: curves.length,
      column,
      valueAt,
    };
  }

  const left = FRAME.x - 40;
  const columns = curves.length > 1 && 2 * column <= PLOT_RIGHT + 24 - left ? 2 : 1;
  const rows = Math.ceil(curves.length / columns);
  return { left, top: FRAME.y + PLOT + 54, columns, rows, column, valueAt };
}

function drawCurve(curve: RocSeries, x: (v: number) => number, y: (v: number) => number): string {
  if (curve.auc === null || curve.fpr.length === 0) return '';

  const d = curve.fpr
    .map((f, i) => `${i === 0 ? 'M' : 'L'}${px(x(f))} ${px(y(curve.tpr[i] ?? 0))}`)
    .join('');
  const dash = curve.dash ? ` stroke-dasharray="${escapeXml(curve.dash)}"` : '';
  return (
    `<path class="roc" d="${d}" fill="none" stroke="${curve.color}" stroke-width="2" ` +
    `stroke-linejoin="round" opacity="0.9"${dash}>` +
    `<title>${escapeXml(`${curve.name}: AUC ${formatAuc(curve.auc)}`)}</title></path>`
  );
}

function legendEntry(curve: RocSeries, i: number, layout: LegendLayout): string {
  const left = layout.left + Math.floor(i / layout.rows) * layout.column;
  const yAt = layout.top + (i % layout.rows) * LEGEND_ROW;
  const dash = curve.dash ? ` stroke-dasharray="${escapeXml(curve.dash)}"` : '';
  const swatch =
    `<path d="M${px(left)} ${px(yAt)}h18" stroke="${curve.color}" stroke-width="2.5"${dash}` +
    `${curve.auc === null ? ' opacity="0.35"' : ''}/>`;
  return (
    swatch +
    text(left + 24, yAt + 4, curve.name, { fill: PALETTE.ink }) +
    text(left + layout.valueAt, yAt + 4, valueOf(curve), {
      fill: curve.auc === null ? PALETTE.muted : PALETTE.ink,
      style: 'font-variant-numeric: tabular-nums',
    })
  );
}

function valueOf(curve: RocSeries): string {
  return curve.auc === null ? `n/a (${curve.note ?? 'no AUC'})` : `AUC ${formatAuc(curve.auc)}`;
}

/** AUC with three decimals: differences near 1.0 are the ones that matter. */
export function formatAuc(auc: number): string {
  return auc.toFixed(3);
}
