/**
 * Strided copies over host arrays: `shape` is the iteration shape (C-order); `strides` give the
 * matching offset steps in the other array (0 on a broadcast or reduced axis).
 */
import type { FloatArray } from '../types.js';

/** out[i] = src[offset + sum_d idx_d * strides_d] for i running over `shape` in C-order. */
export function stridedGather(
  out: FloatArray,
  src: FloatArray,
  shape: readonly number[],
  strides: readonly number[],
  offset = 0,
): void {
  visitRows(shape, strides, offset, (base, inner, step, o) => {
    for (let j = 0, p = base; j < inner; j++, p += step) out[o + j] = src[p]!;
  });
}

/** dst[offset + sum_d idx_d * strides_d] (+)= src[i]: the adjoint of stridedGather (sums over broadcast axes when adding). */
export function stridedScatter(
  dst: FloatArray,
  src: FloatArray,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
  add: boolean,
): void {
  if (add)
    visitRows(shape, strides, offset, (base, inner, step, o) => {
      for (let j = 0, p = base; j < inner; j++, p += step) dst[p]! += src[o + j]!;
    });
  else
    visitRows(shape, strides, offset, (base, inner, step, o) => {
      for (let j = 0, p = base; j < inner; j++, p += step) dst[p] = src[o + j]!;
    });
}

/** Calls row(base, innerLength, innerStride, outOffset) for every innermost row of `shape`. */
function visitRows(
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
  row: (base: number, inner: number, step: number, o: number) => void,
): void {
  const nd = shape.length;
  let total = 1;
  for (const d of shape) total *= d;
  if (total === 0) return;
  if (nd === 0) {
    row(offset, 1, 0, 0);
    return;
  }
  const inner = shape[nd - 1]!;
  const step = strides[nd - 1]!;
  const rows = total / inner;
  const idx = new Array<number>(nd).fill(0);
  let base = offset;
  for (let r = 0, o = 0; r < rows; r++, o += inner) {
    row(base, inner, step, o);
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      base += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      base -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

/**
 * The run length when a reduction sums exactly the trailing axes of a C-order source into a contiguous
 * output (strides 0 on a trailing block of axes, contiguous before it), else 0.
 */
export function trailingRun(shape: readonly number[], strides: readonly number[]): number {
  let k = shape.length;
  let run = 1;
  while (k > 0 && strides[k - 1] === 0) run *= shape[--k]!;
  if (k === shape.length) return 0;
  let expect = 1;
  for (let d = k - 1; d >= 0; d--) {
    if (shape[d] !== 1 && strides[d] !== expect) return 0;
    if (shape[d] !== 1 && strides[d] === 0) return 0;
    expect *= shape[d]!;
  }
  return run;
}

/** acc[i] = sum of x[i * run .. (i + 1) * run), in order, in float64. */
export function sumRuns(acc: Float64Array, x: FloatArray, run: number): void {
  for (let i = 0, o = 0; i < acc.length; i++) {
    let s = 0;
    for (let end = o + run; o < end; o++) s += x[o]!;
    acc[i] = s;
  }
}
