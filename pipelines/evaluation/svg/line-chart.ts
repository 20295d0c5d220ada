import { axes } from './axes.js';
import {
  PALETTE,
  escapeXml,
  legendRow,
  linearScale,
  niceTicks,
  px,
  svgFrame,
  text,
} from './common.js';
import type { Frame } from './common.js';

/** One line of a panel; a non-finite y leaves a gap. */
export interface LineSeries {
  name: string;
  color: string;
  /** SVG dash pattern, e.g. `6 3`; solid when absent. */
  dash?: string;
  points: readonly (readonly [number, number])[];
}

/** One plot area with its own axes. */
export interface LinePanel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly LineSeries[];
  /** Fixed y range, e.g. [0, 1] for accuracy; fitted to the data when absent. */
  yDomain?: readonly [number, number];
  yFormat?: (value: number) => string;
}

/** Options of `lineChart`. */
export interface LineChartOptions {
  id: string;
  title: string;
  description?: string;
  /** Panels side by side, sharing one legend (taken from the first panel's series). */
  panels: readonly LinePanel[];
  /** Width of the whole figure. Default 1080. */
  width?: number;
  /** Height of the whole figure. Default 320. */
  height?: number;
}

const MARGIN = { top: 56, right: 20, bottom: 52, left: 68 };
const MARKER_LIMIT = 60;

/** Line charts side by side in one `<svg>`: training curves, loss beside accuracy. */
export function lineChart(options: LineChartOptions): string {
  const width = options.width ?? 1080;
  const height = options.height ?? 320;
  const panelWidth = width / Math.max(1, options.panels.length);

  const panels = options.panels.map((panel, i) => {
    const frame: Frame = {
      x: i * panelWidth + MARGIN.left,
      y: MARGIN.top,
      width: panelWidth - MARGIN.left - MARGIN.right,
      height: height - MARGIN.top - MARGIN.bottom,
    };
    return drawPanel(panel, frame);
  });

  const legend = legendRow(
    MARGIN.left,
    16,
    (options.panels[0]?.series ?? []).map((s) => ({
      label: s.name,
      color: s.color,
      dash: s.dash,
      line: true,
    })),
  );
  return svgFrame(
    { ...options, width, height },
    `<g class="legend">${legend}</g>${panels.join('')}`,
  );
}

function drawPanel(panel: LinePanel, frame: Frame): string {
  const points = panel.series.flatMap((s) => s.points);
  const xs = points.map(([x]) => x).filter(Number.isFinite);
  const xMin = Math.min(...xs, Infinity);
  const xMax = Math.max(...xs, -Infinity);
  const [yMin, yMax] = panel.yDomain ?? fittedDomain(points.map(([, y]) => y));
  const xDomain: [number, number] = xs.length > 0 ? [xMin, xMax] : [0, 1];

  const x = linearScale(xDomain, [frame.x, frame.x + frame.width]);
  const y = linearScale([yMin, yMax], [frame.y + frame.height, frame.y]);
  const xTicks = niceTicks(xDomain[0], xDomain[1], 6).filter((t) => Number.isInteger(t));
  const grid = axes({
    frame,
    x,
    y,
    xTicks,
    yTicks: niceTicks(yMin, yMax, 5),
    xLabel: panel.xLabel,
    yLabel: panel.yLabel,
    ...(panel.yFormat && { yFormat: panel.yFormat }),
  });

  const title = text(frame.x, frame.y - 12, panel.title, { fill: PALETTE.ink, 'font-weight': 600 });
  const lines = panel.series.map((s) => drawSeries(s, x, y)).join('');
  return `<g class="panel">${title}${grid}${lines}</g>`;
}

// A y range with a little room above and below the data; one value gets a unit-wide range.
function fittedDomain(values: readonly number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];

  const min = Math.min(...finite);
  const max = Math.max(...finite);
  if (min === max) return [min - 0.5, max + 0.5];
  const pad = (max - min) * 0.08;
  return [min >= 0 && min - pad < 0 ? 0 : min - pad, max + pad];
}

function drawSeries(
  series: LineSeries,
  x: (v: number) => number,
  y: (v: number) => number,
): string {
  let d = '';
  let pen = false;
  for (const [px0, py0] of series.points) {
    if (!Number.isFinite(px0) || !Number.isFinite(py0)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${px(x(px0))} ${px(y(py0))}`;
    pen = true;
  }

  const dash = series.dash ? ` stroke-dasharray="${escapeXml(series.dash)}"` : '';
  const path =
    `<path class="series" d="${d}" fill="none" stroke="${series.color}" stroke-width="2.2" ` +
    `stroke-linejoin="round"${dash}><title>${escapeXml(series.name)}</title></path>`;
  return path + markers(series, x, y);
}

// Dots on each point while there are few enough to tell apart.
function markers(series: LineSeries, x: (v: number) => number, y: (v: number) => number): string {
  const finite = series.points.filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
  if (finite.length > MARKER_LIMIT) return '';

  return finite
    .map(
      ([a, b]) =>
        `<circle cx="${px(x(a))}" cy="${px(y(b))}" r="2.6" fill="${series.color}" ` +
        `stroke="${PALETTE.background}" stroke-width="1"/>`,
    )
    .join('');
}
