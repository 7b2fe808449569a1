/** Small pieces shared by the SVG charts: escaping, number formatting, axis ticks and colours. */

/** Text safe inside SVG elements and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`,
  );
}

/** A coordinate with two decimals (callers only pass finite numbers). */
export function px(v: number): string {
  return (Math.round(v * 100) / 100).toString();
}

/** Tableau 10, then golden-angle hues, so any number of series gets distinct colours. */
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

export function colour(i: number): string {
  return i < PALETTE.length ? PALETTE[i]! : `hsl(${px((i * 137.508) % 360)}, 65%, 45%)`;
}

export interface Axis {
  lo: number;
  hi: number;
  ticks: number[];
  log: boolean;
}

/** 1, 2, 5 or 10 times a power of ten, close to `x` (Heckbert's nice numbers). */
function niceStep(x: number): number {
  const e = Math.floor(Math.log10(x));
  const f = x / 10 ** e;
  const nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  return nice * 10 ** e;
}

/** A linear axis covering [min, max] that starts and ends on nice ticks (about `count` of them). */
export function linearAxis(min: number, max: number, count = 5): Axis {
  if (!(Number.isFinite(min) && Number.isFinite(max))) [min, max] = [0, 1];
  if (max < min) [min, max] = [max, min];
  // A range below float resolution of the values (or none) would give ticks that do not advance.
  if (max - min <= 1e-9 * Math.max(Math.abs(min), Math.abs(max)) || max - min < 1e-300) {
    // One value (or a flat series): open a window around it so it sits mid-axis. Near zero (down to
    // denormals, where 10 % of the value rounds to 0) the window is +-1.
    const mid = min / 2 + max / 2;
    const pad = Math.abs(mid) > 1e-200 ? Math.abs(mid) * 0.1 : 1;
    [min, max] = [mid - pad, mid + pad];
  }
  const step = niceStep((max - min) / count);
  // The 1e-9 slack keeps float noise (1.1000000000000003) from adding a whole empty tick interval.
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  // Integer multiples of step rounded to 12 digits: 3 * 0.2 is 0.6, not 0.6000000000000001.
  const [k0, k1] = [Math.round(lo / step), Math.round(hi / step)];
  for (let k = k0; k <= k1 && k - k0 <= 4 * count; k++) ticks.push(Number((k * step).toPrecision(12)));
  return { lo, hi, ticks, log: false };
}

/** The smallest value a log axis shows: 10^-300 stays a normal double, so log10 of the decade is finite. */
export const MIN_LOG_VALUE = 1e-300;

/**
 * A log10 axis from the decade below min to the decade above max (min, max >= MIN_LOG_VALUE); ticks at
 * 1, 2 and 5 times each power of ten when the range spans at most two decades.
 */
export function logAxis(min: number, max: number): Axis {
  if (!(min >= MIN_LOG_VALUE && max >= MIN_LOG_VALUE && Number.isFinite(min) && Number.isFinite(max)))
    [min, max] = [1, 10];
  let a = Math.floor(Math.log10(min));
  let b = Math.ceil(Math.log10(max));
  if (a === b) [a, b] = [a - 1, b + 1];
  const ticks: number[] = [];
  for (let k = a; k <= b; k++) {
    ticks.push(10 ** k);
    if (b - a <= 2 && k < b) ticks.push(2 * 10 ** k, 5 * 10 ** k);
  }
  return { lo: 10 ** a, hi: 10 ** b, ticks, log: true };
}

/** Map a value to [0, 1] along an axis. */
export function axisFraction(axis: Axis, v: number): number {
  if (axis.log) return (Math.log10(v) - Math.log10(axis.lo)) / (Math.log10(axis.hi) - Math.log10(axis.lo));
  return (v - axis.lo) / (axis.hi - axis.lo);
}

/** Tick label: short, without float noise (0.30000000000000004 -> 0.3), exponent form when very big/small. */
export function formatNumber(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return v.toExponential(1).replace('e+', 'e');
  return Number(v.toPrecision(6)).toString();
}

/** Rough text width in px for 12 px sans-serif (for layout only). */
export function textWidth(s: string, fontSize = 12): number {
  return s.length * fontSize * 0.6;
}

/** Checks an optional chart dimension. */
export function dimension(where: string, field: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!(Number.isFinite(v) && v >= 100 && v <= 10000))
    throw new RangeError(`${where}: ${field} must be a number of pixels in [100, 10000], got ${v}`);
  return v;
}
