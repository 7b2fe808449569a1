/** Reductions along axes (sum, mean, max, min, var) with keepdim. */
import { type FloatArray, getBackend, stridedGather } from '@asma/kernels';
import { record } from '../grad/tape.js';
import { allocate, storageOf, Tensor } from '../tensor.js';
import * as ew from './elementwise.js';
import { ArgumentError } from './errors.js';
import { contiguousStrides, normAxis } from './strided.js';

export interface ReducePlan {
  /** Sorted, non-negative axes being reduced. */
  axes: number[];
  /** Output shape with reduced axes kept as 1. */
  keptShape: number[];
  /** Output shape as returned (reduced axes removed unless keepdim). */
  outShape: number[];
  /** Strides into the kept-shape output for each input axis (0 on reduced axes). */
  strides: number[];
  /** Number of input elements per output element. */
  count: number;
}

/** Resolve `axes` (undefined = all) into a reduction plan; throws naming the op on a bad axis. */
export function reducePlan(
  op: string,
  shape: readonly number[],
  axes: number | readonly number[] | undefined,
  keepdim: boolean,
): ReducePlan {
  const list = axes === undefined ? shape.map((_, i) => i) : typeof axes === 'number' ? [axes] : [...axes];
  const norm = [...new Set(list.map((a) => normAxis(op, a, shape.length)))].sort((p, q) => p - q);
  if (norm.length !== list.length) throw new ArgumentError(`${op}: repeated axis in [${list.join(',')}]`);
  const keptShape = shape.map((d, i) => (norm.includes(i) ? 1 : d));
  const outShape = keepdim ? keptShape : shape.filter((_, i) => !norm.includes(i));
  const cs = contiguousStrides(keptShape);
  const strides = shape.map((_, i) => (norm.includes(i) ? 0 : cs[i]!));
  let count = 1;
  for (const a of norm) count *= shape[a]!;
  return { axes: norm, keptShape, outShape, strides, count };
}

export function sum(a: Tensor, axes?: number | readonly number[], keepdim = false): Tensor {
  const p = reducePlan('sum', a.shape, axes, keepdim);
  const be = getBackend();
  const out = new Tensor(allocate(a.dtype, sizeOf(p.outShape), false), p.outShape);
  be.reduceSum(out.storage, storageOf(a), a.shape, p.strides);
  return record(out, 'sum', [a], (g) => {
    const gx = allocate(a.dtype, a.size, false);
    be.gather(gx, g, a.shape, p.strides, 0);
    return [gx];
  });
}

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function mean(a: Tensor, axes?: number | readonly number[], keepdim = false): Tensor {
  const p = reducePlan('mean', a.shape, axes, keepdim);
  if (p.count === 0) throw new ArgumentError('mean: reducing over an empty axis');
  return ew.div(sum(a, axes, keepdim), p.count);
}

/** Variance along axes; unbiased (divide by n-1) by default like torch.var. */
export function variance(
  a: Tensor,
  axes?: number | readonly number[],
  opts: { keepdim?: boolean; unbiased?: boolean } = {},
): Tensor {
  const p = reducePlan('var', a.shape, axes, opts.keepdim ?? false);
  const unbiased = opts.unbiased ?? true;
  const denom = unbiased ? p.count - 1 : p.count;
  if (denom <= 0)
    throw new ArgumentError(
      `var: ${p.count} element(s) per group is too few${unbiased ? ' for the unbiased estimate' : ''}`,
    );
  const centered = ew.sub(a, mean(a, axes, true));
  return ew.div(sum(ew.square(centered), axes, opts.keepdim ?? false), denom);
}

/** Alias of `variance` with PyTorch's name. */
export const var_ = variance;

function extremum(
  op: string,
  a: Tensor,
  axes: number | readonly number[] | undefined,
  keepdim: boolean,
  sign: 1 | -1,
): Tensor {
  const p = reducePlan(op, a.shape, axes, keepdim);
  if (p.count === 0) throw new ArgumentError(`${op}: reducing over an empty axis`);
  const outN = sizeOf(p.outShape);
  // Map every input element to its output slot, then keep the first extremal element (its index gets the gradient).
  const slot = new Float64Array(a.size);
  const iota = new Float64Array(outN);
  for (let i = 0; i < outN; i++) iota[i] = i;
  stridedGather(slot, iota, a.shape, p.strides); // host tensors only (a.data below)
  const best = new Int32Array(outN).fill(-1);
  const x = a.data;
  for (let i = 0; i < a.size; i++) {
    const s = slot[i]!;
    const b = best[s]!;
    if (b < 0 || sign * x[i]! > sign * x[b]! || Number.isNaN(x[i]!)) best[s] = i;
  }
  const out = new Tensor(allocate(a.dtype, outN), p.outShape);
  const od = out.data;
  for (let s = 0; s < outN; s++) od[s] = x[best[s]!]!;
  return record(out, op, [a], (g) => {
    const gx = allocate(a.dtype, a.size) as FloatArray;
    const gh = g as FloatArray;
    for (let s = 0; s < outN; s++) gx[best[s]!]! += gh[s]!;
    return [gx];
  });
}

/** Maximum along axes; the gradient flows to the (first) argmax. */
export function max(a: Tensor, axes?: number | readonly number[], keepdim = false): Tensor {
  return extremum('max', a, axes, keepdim, 1);
}

/** Minimum along axes; the gradient flows to the (first) argmin. */
export function min(a: Tensor, axes?: number | readonly number[], keepdim = false): Tensor {
  return extremum('min', a, axes, keepdim, -1);
}

/** Index of the maximum along one axis (no gradient); returns an Int32Array in the reduced shape's C-order. */
export function argmax(a: Tensor, axis: number): Int32Array {
  const ax = normAxis('argmax', axis, a.ndim);
  const n = a.shape[ax]!;
  const inner = sizeOf(a.shape.slice(ax + 1));
  const outer = sizeOf(a.shape.slice(0, ax));
  const out = new Int32Array(outer * inner);
  const x: FloatArray = a.data;
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      let bi = 0;
      let bv = x[o * n * inner + i]!;
      for (let k = 1; k < n; k++) {
        const v = x[(o * n + k) * inner + i]!;
        if (v > bv) {
          bv = v;
          bi = k;
        }
      }
      out[o * inner + i] = bi;
    }
  return out;
}
