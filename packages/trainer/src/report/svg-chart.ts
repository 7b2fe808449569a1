/**
 * Dependency-free SVG charts for reports: a line chart (training curves, optional log y axis) and a bar
 * chart with error bars (accuracy comparisons). Non-finite values are skipped, never drawn as NaN.
 */
import {
  type Axis,
  axisFraction,
  colour,
  dimension,
  escapeXml,
  formatNumber,
  linearAxis,
  logAxis,
  MIN_LOG_VALUE,
  px,
  textWidth,
} from './svg-util.js';

export interface LineSeries {
  name: string;
  points: readonly (readonly [number, number])[];
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly LineSeries[];
  /** Pixels, default 640. */
  width?: number;
  /** Pixels, default 400. */
  height?: number;
  /** Log10 y axis; points with y <= 0 (below MIN_LOG_VALUE = 1e-300) are skipped. */
  logY?: boolean;
  /** x ticks at whole numbers only (epochs: no "1.5" on a short run). */
  integerX?: boolean;
  /** Dashed horizontal lines, e.g. `{ y: 20, label: 'chance' }`; the y axis is widened to show them. */
  references?: readonly { y: number; label: string }[];
}

export interface Bar {
  label: string;
  value: number;
  /** Half-length of the error bar (e.g. one standard deviation). */
  error?: number;
}

export interface BarChartOptions {
  title: string;
  bars: readonly Bar[];
  yLabel?: string;
  width?: number;
  height?: number;
}

/** Values beyond this magnitude are skipped like NaN: axis arithmetic on them would overflow. */
export const MAX_PLOTTABLE = 1e100;

function plottable(v: number): boolean {
  return Number.isFinite(v) && Math.abs(v) <= MAX_PLOTTABLE;
}

/** [min, max] without spreading (Math.min(...xs) overflows the stack on long series). */
function extent(values: readonly number[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

interface Frame {
  left: number;
  top: number;
  width: number;
  height: number;
}

function open(width: number, height: number, title: string): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${px(width)}" height="${px(height)}" fill="#ffffff"/>`,
    `<text x="${px(width / 2)}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
}

/**
 * Horizontal grid lines, y tick labels and the y axis title. `inset` pixels at the top and bottom keep
 * a curve at the axis limits (a flat 100 %) off the frame.
 */
function yAxis(out: string[], f: Frame, axis: Axis, label: string, inset = 0): (v: number) => number {
  const y = (v: number) => f.top + inset + (f.height - 2 * inset) * (1 - axisFraction(axis, v));
  for (const t of axis.ticks) {
    const ty = px(y(t));
    out.push(
      `<line x1="${px(f.left)}" y1="${ty}" x2="${px(f.left + f.width)}" y2="${ty}" stroke="#e0e0e0"/>`,
      `<text x="${px(f.left - 6)}" y="${ty}" text-anchor="end" dominant-baseline="middle">${escapeXml(formatNumber(t))}</text>`,
    );
  }
  const cy = px(f.top + f.height / 2);
  out.push(
    `<text x="16" y="${cy}" text-anchor="middle" transform="rotate(-90 16 ${cy})">${escapeXml(label)}</text>`,
  );
  return y;
}

function frameBox(out: string[], f: Frame): void {
  out.push(
    `<rect x="${px(f.left)}" y="${px(f.top)}" width="${px(f.width)}" height="${px(f.height)}" fill="none" stroke="#333333"/>`,
  );
}

/** Line chart of one or more series; each series is broken where a point is not finite. */
export function lineChartSvg(opts: LineChartOptions): string {
  const width = dimension('lineChartSvg', 'width', opts.width, 640);
  const height = dimension('lineChartSvg', 'height', opts.height, 400);
  const logY = opts.logY ?? false;
  const usable = (p: readonly [number, number]) =>
    plottable(p[0]) && plottable(p[1]) && (!logY || p[1] >= MIN_LOG_VALUE);
  const all = opts.series.flatMap((s) => s.points.filter(usable));
  const references = (opts.references ?? []).filter((r) => usable([0, r.y]));
  const [x0, x1] = extent(all.map((p) => p[0]));
  const [y0, y1] = extent([...all.map((p) => p[1]), ...(all.length > 0 ? references.map((r) => r.y) : [])]);
  const empty = all.length === 0;
  const xAxis = empty ? linearAxis(0, 1) : linearAxis(x0, x1);
  if (opts.integerX && !empty) {
    const whole = xAxis.ticks.filter((t) => Number.isInteger(t));
    xAxis.ticks = whole.length > 0 ? whole : [Math.round(x0)];
  }
  const yAx = logY
    ? empty
      ? logAxis(1, 10)
      : logAxis(y0, y1)
    : empty
      ? linearAxis(0, 1)
      : linearAxis(y0, y1);
  const legendWidth = Math.min(width / 3, 24 + Math.max(0, ...opts.series.map((s) => textWidth(s.name))));
  const f: Frame = { left: 64, top: 36, width: width - 64 - 16 - legendWidth, height: height - 36 - 48 };
  const out = open(width, height, opts.title);
  const y = yAxis(out, f, yAx, opts.yLabel, 8);
  const x = (v: number) => f.left + f.width * axisFraction(xAxis, v);
  if (!empty)
    for (const r of references) {
      const ry = px(y(r.y));
      out.push(
        `<line x1="${px(f.left)}" y1="${ry}" x2="${px(f.left + f.width)}" y2="${ry}" stroke="#888888" stroke-dasharray="5 4" data-reference="${escapeXml(r.label)}"/>`,
        `<text x="${px(f.left + f.width - 4)}" y="${px(y(r.y) - 4)}" text-anchor="end" fill="#666666">${escapeXml(r.label)}</text>`,
      );
    }
  for (const t of xAxis.ticks)
    out.push(
      `<line x1="${px(x(t))}" y1="${px(f.top)}" x2="${px(x(t))}" y2="${px(f.top + f.height)}" stroke="#f0f0f0"/>`,
      `<text x="${px(x(t))}" y="${px(f.top + f.height + 16)}" text-anchor="middle">${escapeXml(formatNumber(t))}</text>`,
    );
  out.push(
    `<text x="${px(f.left + f.width / 2)}" y="${px(height - 10)}" text-anchor="middle">${escapeXml(opts.xLabel)}</text>`,
  );
  frameBox(out, f);
  if (empty)
    out.push(
      `<text x="${px(f.left + f.width / 2)}" y="${px(f.top + f.height / 2)}" text-anchor="middle" fill="#888888">no data</text>`,
    );
  opts.series.forEach((s, i) => {
    const c = colour(i);
    // Runs of consecutive usable points become path pieces; a lone point becomes a dot.
    const runs: [number, number][][] = [[]];
    for (const p of s.points) {
      if (usable(p)) runs[runs.length - 1]!.push([x(p[0]), y(p[1])]);
      else if (runs[runs.length - 1]!.length > 0) runs.push([]);
    }
    const d = runs
      .filter((r) => r.length > 1)
      .map((r) => r.map(([px0, py0], k) => `${k === 0 ? 'M' : 'L'}${px(px0)} ${px(py0)}`).join(' '))
      .join(' ');
    out.push(`<g data-series="${escapeXml(s.name)}">`);
    if (d !== '') out.push(`<path d="${d}" fill="none" stroke="${c}" stroke-width="2"/>`);
    for (const r of runs)
      if (r.length === 1) out.push(`<circle cx="${px(r[0]![0])}" cy="${px(r[0]![1])}" r="3" fill="${c}"/>`);
    out.push('</g>');
    const ly = f.top + 8 + 18 * i;
    const lx = f.left + f.width + 12;
    out.push(
      `<line x1="${px(lx)}" y1="${px(ly)}" x2="${px(lx + 16)}" y2="${px(ly)}" stroke="${c}" stroke-width="3"/>`,
      `<text x="${px(lx + 22)}" y="${px(ly)}" dominant-baseline="middle">${escapeXml(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Bar chart with optional error bars; the y axis always includes 0. Non-finite values show "n/a". */
export function barChartSvg(opts: BarChartOptions): string {
  const width = dimension('barChartSvg', 'width', opts.width, 640);
  const height = dimension('barChartSvg', 'height', opts.height, 400);
  const err = (b: Bar) => (b.error !== undefined && plottable(b.error) ? Math.abs(b.error) : 0);
  const finite = opts.bars.filter((b) => plottable(b.value));
  const [lo, hi] = extent([0, ...finite.flatMap((b) => [b.value - err(b), b.value + err(b)])]);
  const axis = linearAxis(lo, hi === lo ? 1 : hi);
  const n = Math.max(1, opts.bars.length);
  const slot = (width - 64 - 16) / n;
  // Long labels are turned 35 degrees and get a deeper bottom margin.
  const longest = Math.max(0, ...opts.bars.map((b) => textWidth(b.label)));
  const turn = longest > slot - 4;
  const bottom = turn ? Math.min(height / 3, 28 + longest * 0.6) : 40;
  const f: Frame = { left: 64, top: 36, width: width - 64 - 16, height: height - 36 - bottom };
  const out = open(width, height, opts.title);
  const y = yAxis(out, f, axis, opts.yLabel ?? '');
  const y0 = y(0);
  opts.bars.forEach((b, i) => {
    const cx = f.left + slot * (i + 0.5);
    const w = Math.max(2, slot * 0.6);
    const ly = f.top + f.height + 16;
    out.push(
      turn
        ? `<text x="${px(cx)}" y="${px(ly)}" text-anchor="end" transform="rotate(-35 ${px(cx)} ${px(ly)})">${escapeXml(b.label)}</text>`
        : `<text x="${px(cx)}" y="${px(ly)}" text-anchor="middle">${escapeXml(b.label)}</text>`,
    );
    if (!plottable(b.value)) {
      out.push(`<text x="${px(cx)}" y="${px(y0 - 4)}" text-anchor="middle" fill="#888888">n/a</text>`);
      return;
    }
    const yv = y(b.value);
    out.push(
      `<rect x="${px(cx - w / 2)}" y="${px(Math.min(yv, y0))}" width="${px(w)}" height="${px(Math.abs(y0 - yv))}" fill="${colour(i)}"><title>${escapeXml(`${b.label}: ${formatNumber(b.value)}`)}</title></rect>`,
    );
    const e = err(b);
    if (e > 0) {
      const [ya, yb] = [y(b.value - e), y(b.value + e)];
      const cap = w / 4;
      out.push(
        `<path d="M${px(cx)} ${px(ya)} L${px(cx)} ${px(yb)} M${px(cx - cap)} ${px(ya)} L${px(cx + cap)} ${px(ya)} M${px(cx - cap)} ${px(yb)} L${px(cx + cap)} ${px(yb)}" stroke="#333333" fill="none"/>`,
      );
    }
    const top = Math.min(yv, y(b.value + e), y0);
    out.push(
      `<text x="${px(cx)}" y="${px(top - 4)}" text-anchor="middle">${escapeXml(formatNumber(Number(b.value.toPrecision(4))))}</text>`,
    );
  });
  out.push(
    `<line x1="${px(f.left)}" y1="${px(y0)}" x2="${px(f.left + f.width)}" y2="${px(y0)}" stroke="#333333"/>`,
  );
  frameBox(out, f);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
