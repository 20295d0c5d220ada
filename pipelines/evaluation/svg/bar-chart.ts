import { axes } from './axes.js';
import {
  PALETTE,
  approximateTextWidth,
  escapeXml,
  legendRow,
  linearScale,
  niceTicks,
  px,
  svgFrame,
  text,
} from './common.js';
import type { Frame } from './common.js';

/** One bar per group, e.g. recall of every class. */
export interface BarSeries {
  name: string;
  color: string;
  values: readonly number[];
}

/** Options of `groupedBarChart`. */
export interface GroupedBarChartOptions {
  id: string;
  title: string;
  description?: string;
  /** Group labels along x, e.g. class names. */
  groups: readonly string[];
  /** Groups drawn muted, with a note after the label, e.g. classes without rows. */
  mutedGroups?: readonly boolean[];
  series: readonly BarSeries[];
  yLabel: string;
  /** Default [0, 1]. */
  yDomain?: readonly [number, number];
  yFormat?: (value: number) => string;
  valueFormat?: (value: number) => string;
  /** Width of the whole figure. Default 1080. */
  width?: number;
}

const PLOT_HEIGHT = 220;

/** Bars grouped side by side (per class: precision, recall, F1), with a legend above. */
export function groupedBarChart(options: GroupedBarChartOptions): string {
  const width = options.width ?? 1080;
  const frame: Frame = { x: 68, y: 40, width: width - 88, height: PLOT_HEIGHT };
  const band = frame.width / Math.max(1, options.groups.length);
  // One orientation for all labels: turned as soon as one is too long for its band.
  const flat = options.groups.every(
    (g, i) => approximateTextWidth(labelOf(options, g, i), 11) <= band - 6,
  );
  const labels = options.groups.map((label, g) => groupLabel(options, label, g, frame, band, flat));
  const labelDepth = Math.max(20, ...labels.map((label) => label.depth));
  const height = frame.y + frame.height + labelDepth + 28;
  const domain = options.yDomain ?? [0, 1];
  const y = linearScale(domain, [frame.y + frame.height, frame.y]);

  const grid = axes({
    frame,
    x: () => frame.x,
    y,
    xTicks: [],
    yTicks: niceTicks(domain[0], domain[1], 5),
    xLabel: '',
    yLabel: options.yLabel,
    ...(options.yFormat && { yFormat: options.yFormat }),
  });
  const bars = options.groups.map((_, g) => groupBars(options, g, frame, band, y)).join('');
  const legend = legendRow(
    frame.x,
    16,
    options.series.map((s) => ({ label: s.name, color: s.color })),
  );

  return svgFrame(
    { ...options, width, height },
    `${grid}<g class="bars">${bars}</g><g class="labels">${labels.map((l) => l.svg).join('')}</g>` +
      `<g class="legend">${legend}</g>`,
  );
}

function groupBars(
  options: GroupedBarChartOptions,
  g: number,
  frame: Frame,
  band: number,
  y: (v: number) => number,
): string {
  const inner = band * 0.78;
  const barWidth = inner / Math.max(1, options.series.length);
  const start = frame.x + g * band + (band - inner) / 2;
  const base = y(options.yDomain?.[0] ?? 0);
  const format = options.valueFormat ?? ((v: number) => v.toFixed(3));
  const muted = options.mutedGroups?.[g] ?? false;

  return options.series
    .map((series, s) => {
      const value = series.values[g] ?? 0;
      const top = y(value);
      const tip = `${options.groups[g] ?? g}, ${series.name}: ${format(value)}`;
      return (
        `<rect class="bar" x="${px(start + s * barWidth + 0.5)}" y="${px(Math.min(top, base))}" ` +
        `width="${px(Math.max(1, barWidth - 1))}" height="${px(Math.abs(base - top))}" ` +
        `fill="${series.color}"${muted ? ' opacity="0.35"' : ''} rx="1.5">` +
        `<title>${escapeXml(tip)}</title></rect>`
      );
    })
    .join('');
}

function labelOf(options: GroupedBarChartOptions, label: string, g: number): string {
  return options.mutedGroups?.[g] ? `${label} (no rows)` : label;
}

// A group label under its band, flat or turned; also how far below the axis it reaches.
function groupLabel(
  options: GroupedBarChartOptions,
  label: string,
  g: number,
  frame: Frame,
  band: number,
  flat: boolean,
): { svg: string; depth: number } {
  const muted = options.mutedGroups?.[g] ?? false;
  const content = labelOf(options, label, g);
  const x = frame.x + g * band + band / 2;
  const yAt = frame.y + frame.height + 16;
  const svg = text(x, yAt, content, {
    'text-anchor': flat ? 'middle' : 'end',
    fill: muted ? PALETTE.muted : PALETTE.ink,
    'font-size': 11,
    ...(muted && { 'font-style': 'italic' }),
    ...(!flat && { transform: `rotate(-30 ${px(x)} ${px(yAt)})` }),
  });
  // sin(30 degrees) of a turned label's length lies below its anchor.
  return { svg, depth: flat ? 20 : 20 + approximateTextWidth(content, 11) * 0.5 };
}
