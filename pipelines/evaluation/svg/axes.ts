import { PALETTE, px, text } from './common.js';
import type { Frame } from './common.js';

/** What `axes` draws: gridlines, ticks and labels of a plot area. */
export interface AxesOptions {
  frame: Frame;
  /** Data to x coordinate. */
  x: (value: number) => number;
  /** Data to y coordinate. */
  y: (value: number) => number;
  xTicks: readonly number[];
  yTicks: readonly number[];
  xLabel: string;
  yLabel: string;
  xFormat?: (value: number) => string;
  yFormat?: (value: number) => string;
}

/**
 * Horizontal and vertical gridlines at the ticks, the frame's left and bottom axis lines, tick
 * labels and the two axis titles (the y title turned upright along the left side).
 */
export function axes(options: AxesOptions): string {
  const { frame, x, y } = options;
  const xFormat = options.xFormat ?? String;
  const yFormat = options.yFormat ?? String;
  const bottom = frame.y + frame.height;
  const right = frame.x + frame.width;
  const parts: string[] = [];

  for (const tick of options.yTicks) {
    const at = y(tick);
    parts.push(gridline(`M${px(frame.x)} ${px(at)}H${px(right)}`));
    parts.push(
      text(frame.x - 8, at + 4, yFormat(tick), { 'text-anchor': 'end', fill: PALETTE.muted }),
    );
  }
  for (const tick of options.xTicks) {
    const at = x(tick);
    parts.push(gridline(`M${px(at)} ${px(frame.y)}V${px(bottom)}`));
    parts.push(
      text(at, bottom + 16, xFormat(tick), { 'text-anchor': 'middle', fill: PALETTE.muted }),
    );
  }

  parts.push(
    `<path class="axis" d="M${px(frame.x)} ${px(frame.y)}V${px(bottom)}H${px(right)}" ` +
      `fill="none" stroke="${PALETTE.axis}"/>`,
  );
  parts.push(axisTitles(options));
  return `<g class="axes">${parts.join('')}</g>`;
}

function gridline(d: string): string {
  return `<path class="grid" d="${d}" stroke="${PALETTE.grid}" fill="none"/>`;
}

function axisTitles(options: AxesOptions): string {
  const { frame } = options;
  const cx = frame.x + frame.width / 2;
  const cy = frame.y + frame.height / 2;
  const yAt = frame.x - 44;
  return (
    text(cx, frame.y + frame.height + 36, options.xLabel, {
      'text-anchor': 'middle',
      fill: PALETTE.ink,
      'font-weight': 600,
    }) +
    text(yAt, cy, options.yLabel, {
      'text-anchor': 'middle',
      fill: PALETTE.ink,
      'font-weight': 600,
      transform: `rotate(-90 ${px(yAt)} ${px(cy)})`,
    })
  );
}
