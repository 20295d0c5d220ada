/**
 * What the SVG figures share: escaping, the palette, scales, ticks and the outer `<svg>`.
 * Figures are plain strings of inline SVG, meant to sit inside an HTML page, and need no script.
 */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML or SVG content and for quoted attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** The colours every figure of the report draws from, so one thing has one colour. */
export const PALETTE = {
  ink: '#1f2933',
  muted: '#616e7c',
  axis: '#9aa5b1',
  grid: '#e4e7eb',
  background: '#ffffff',
  reference: '#9aa5b1',
  metrics: { precision: '#3b6fd4', recall: '#e8833a', f1: '#2a9d72' },
  models: { autoencoder: '#5b4fc4', lstm: '#d1497b', ensemble: '#138a8a' },
  /** Colours of categorical series (classes); past ten, lines repeat them dashed. */
  series: [
    '#4e79a7',
    '#f28e2b',
    '#e15759',
    '#59a14f',
    '#b07aa1',
    '#76b7b2',
    '#edc948',
    '#ff9da7',
    '#9c755f',
    '#79706e',
  ],
  /** Sequential stops, light to dark, for heatmaps. */
  sequential: ['#f4f8fc', '#d6e4f3', '#a9c8e6', '#74a6d5', '#4682be', '#2a5f9e', '#153e73'],
} as const;

/** The colour and dash of categorical series i. */
export function seriesStyle(i: number): { color: string; dash: string | undefined } {
  const colors = PALETTE.series;
  const color = colors[i % colors.length] ?? PALETTE.ink;
  return { color, dash: i >= colors.length ? '6 3' : undefined };
}

/** A rectangle of the drawing, in SVG user units. */
export interface Frame {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A linear map from `domain` to `range`; a degenerate domain maps to the range's middle. */
export function linearScale(
  domain: readonly [number, number],
  range: readonly [number, number],
): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (value) => r0 + ((value - d0) / (d1 - d0)) * (r1 - r0);
}

/** Round tick values covering [min, max], about `count` of them (steps of 1, 2 or 5 x 10^n). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max === min) return [min];

  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const ticks: number[] = [];
  // Multiplying an integer by the step (instead of adding steps up) keeps 0.30000000000000004
  // out of the labels.
  for (let i = Math.ceil(min / step - 1e-9); i * step <= max + step * 1e-9; i++) {
    ticks.push(Number((i * step).toPrecision(12)));
  }
  return ticks;
}

/** A number rounded for an SVG coordinate: two decimals are below a pixel's hundredth. */
export function px(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** What every figure's outer `<svg>` carries. */
export interface SvgFrameOptions {
  /** Stable id of the figure, e.g. `fig-roc-lstm`. */
  id: string;
  /** Short title, the SVG's accessible name (and tooltip). */
  title: string;
  /** A longer description for assistive technology. */
  description?: string;
  width: number;
  height: number;
}

/** Wraps figure content into an `<svg>` with its id, `<title>` and `<desc>`. */
export function svgFrame(options: SvgFrameOptions, body: string): string {
  const id = escapeXml(options.id);
  const desc = options.description
    ? `<desc id="${id}-desc">${escapeXml(options.description)}</desc>`
    : '';
  const described = options.description ? ` aria-describedby="${id}-desc"` : '';
  const width = Math.ceil(options.width);
  const height = Math.ceil(options.height);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" id="${id}" class="figure-svg" role="img" ` +
    `aria-labelledby="${id}-title"${described} viewBox="0 0 ${width} ${height}" ` +
    `width="${width}" height="${height}" font-family="inherit" font-size="12">` +
    `<title id="${id}-title">${escapeXml(options.title)}</title>${desc}` +
    `<rect class="bg" x="0" y="0" width="${width}" height="${height}" ` +
    `fill="${PALETTE.background}"/>${body}</svg>`
  );
}

/** A text element; `text` is escaped. */
export function text(
  x: number,
  y: number,
  content: string,
  attributes: Record<string, string | number> = {},
): string {
  const attrs = Object.entries(attributes)
    .map(([name, value]) => ` ${name}="${escapeXml(String(value))}"`)
    .join('');
  return `<text x="${px(x)}" y="${px(y)}"${attrs}>${escapeXml(content)}</text>`;
}

/** A one-row legend of coloured swatches, from (x, y), entries `gap` apart at least. */
export function legendRow(
  x: number,
  y: number,
  entries: readonly { label: string; color: string; dash?: string | undefined; line?: boolean }[],
): string {
  let at = x;
  return entries
    .map((entry) => {
      const swatch = entry.line
        ? `<path d="M${px(at)} ${px(y)}h18" stroke="${entry.color}" stroke-width="2.5"` +
          `${entry.dash ? ` stroke-dasharray="${entry.dash}"` : ''}/>`
        : `<rect x="${px(at)}" y="${px(y - 6)}" width="12" height="12" rx="2" fill="${entry.color}"/>`;
      const label = text(at + (entry.line ? 24 : 17), y + 4, entry.label, { fill: PALETTE.ink });
      at += (entry.line ? 24 : 17) + approximateTextWidth(entry.label) + 18;
      return swatch + label;
    })
    .join('');
}

/** A rough width of `content` at 12px in a sans-serif face, for laying out labels. */
export function approximateTextWidth(content: string, fontSize = 12): number {
  return content.length * fontSize * 0.6;
}

/** Formats a share in [0, 1] as a percentage with `digits` decimals. */
export function percent(value: number, digits = 1): string {
  return `${(value * 100).toFixed(digits)}%`;
}
