/**
 * Gradient check: compares the analytic gradient of sum(fn(inputs) * w) (w random, fixed) with central
 * differences, all in float64. Public so that users who write their own ops can check them the same way.
 */
import { Rng } from '@asma/util';
import { noGrad } from '../grad/mode.js';
import { mul } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { Tensor } from '../tensor.js';

export interface GradCheckOptions {
  /** Finite-difference step (float64), default 1e-6. */
  eps?: number;
  /** Relative tolerance, default 1e-6. */
  rtol?: number;
  /** Absolute tolerance, default 1e-8. */
  atol?: number;
  /** Indices of inputs to check (default: all). Others are passed as constants. */
  wrt?: readonly number[];
  /** Seed of the random output weights, default 0. */
  seed?: number;
  /** Check at most this many elements per input (spread evenly), default all. */
  maxElements?: number;
}

export interface GradMismatch {
  input: number;
  index: number;
  analytic: number;
  numeric: number;
}

export interface GradCheckReport {
  ok: boolean;
  /** Worst mismatch relative to the tolerance, or null when all elements passed. */
  worst: GradMismatch | null;
  checked: number;
  message: string;
}

/** Runs the check and returns a report (never throws on mismatch). */
export function gradCheckReport(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  opts: GradCheckOptions = {},
): GradCheckReport {
  const eps = opts.eps ?? 1e-6;
  const rtol = opts.rtol ?? 1e-6;
  const atol = opts.atol ?? 1e-8;
  const wrt = new Set(opts.wrt ?? inputs.map((_, i) => i));
  const xs = inputs.map((t, i) => new Tensor(Float64Array.from(t.data), t.shape, wrt.has(i)));
  const out = fn(...xs);
  if (out.dtype !== 'float64') throw new Error('gradCheck: fn must preserve float64 (it returned float32)');
  const rng = new Rng(opts.seed ?? 0);
  const w = new Tensor(new Float64Array(out.size), out.shape);
  for (let i = 0; i < w.size; i++) w.data[i] = rng.uniform(-1, 1);
  const objective = () => noGrad(() => sum(mul(fn(...xs), w)).item());
  const loss = sum(mul(out, w));
  if (loss.requiresGrad) loss.backward();
  let worst: GradMismatch | null = null;
  let worstRatio = 1;
  let checked = 0;
  for (const i of wrt) {
    const x = xs[i]!;
    const analytic = x.grad?.data ?? new Float64Array(x.size);
    const stride = opts.maxElements && x.size > opts.maxElements ? x.size / opts.maxElements : 1;
    for (let f = 0; f < x.size; f += stride) {
      const j = Math.floor(f);
      const orig = x.data[j]!;
      x.data[j] = orig + eps;
      const fp = objective();
      x.data[j] = orig - eps;
      const fm = objective();
      x.data[j] = orig;
      const numeric = (fp - fm) / (2 * eps);
      const a = analytic[j]!;
      const ratio = Math.abs(a - numeric) / (atol + rtol * Math.max(Math.abs(a), Math.abs(numeric)));
      checked++;
      if (!(ratio <= worstRatio)) {
        worstRatio = Number.isNaN(ratio) ? Number.POSITIVE_INFINITY : ratio;
        worst = { input: i, index: j, analytic: a, numeric };
      }
    }
  }
  const message =
    worst === null
      ? `gradCheck: ${checked} elements agree`
      : `gradCheck: input ${worst.input} (shape [${inputs[worst.input]!.shape.join(',')}]) element ${worst.index}: analytic ${worst.analytic} vs numeric ${worst.numeric} (rtol ${rtol}, atol ${atol})`;
  return { ok: worst === null, worst, checked, message };
}

/** Throws an Error with the report's message when any element disagrees; returns the report otherwise. */
export function gradCheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  opts: GradCheckOptions = {},
): GradCheckReport {
  const r = gradCheckReport(fn, inputs, opts);
  if (!r.ok) throw new Error(r.message);
  return r;
}

/**
 * The golden-test metric used against PyTorch fixtures: max |a - b| / max(max |b|, 1e-12) over a
 * whole tensor (one scale per tensor, so tiny entries of a large tensor do not dominate).
 */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / Math.max(scale, 1e-12);
}
