/**
 * Strided copy helpers shared by broadcasting, reductions and view-like ops (permute, slice, expand).
 * `shape` is the iteration shape (C-order); `strides` give the matching offset steps in the other array
 * (0 on a broadcast axis).
 */
import type { FloatArray } from '@asma/kernels';
import { fmtShape, ShapeError } from './errors.js';

export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

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

/** dst[offset + sum_d idx_d * strides_d] += src[i]: the adjoint of stridedGather (sums over broadcast axes). */
export function stridedScatterAdd(
  dst: FloatArray,
  src: FloatArray,
  shape: readonly number[],
  strides: readonly number[],
  offset = 0,
): void {
  visitRows(shape, strides, offset, (base, inner, step, o) => {
    for (let j = 0, p = base; j < inner; j++, p += step) dst[p]! += src[o + j]!;
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

/** NumPy broadcast of two shapes, or a ShapeError naming the op and both shapes. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const nd = Math.max(a.length, b.length);
  const out = new Array<number>(nd);
  for (let i = 0; i < nd; i++) {
    const da = a[a.length - nd + i] ?? 1;
    const db = b[b.length - nd + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1)
      throw new ShapeError(
        `${op}: cannot broadcast ${fmtShape(a)} with ${fmtShape(b)}: axis ${i - nd} has sizes ${da} and ${db}`,
      );
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that read an array of `inShape` as if expanded to `outShape` (0 on broadcast axes). */
export function broadcastStrides(inShape: readonly number[], outShape: readonly number[]): number[] {
  const cs = contiguousStrides(inShape);
  const off = outShape.length - inShape.length;
  return outShape.map((_, i) => (i < off || inShape[i - off] === 1 ? 0 : cs[i - off]!));
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Expand `src` of inShape to a new contiguous array of outShape (returns src itself when shapes match). */
export function expandData(
  src: FloatArray,
  inShape: readonly number[],
  outShape: readonly number[],
  alloc: (n: number) => FloatArray,
): FloatArray {
  if (sameShape(inShape, outShape)) return src;
  let n = 1;
  for (const d of outShape) n *= d;
  const out = alloc(n);
  stridedGather(out, src, outShape, broadcastStrides(inShape, outShape));
  return out;
}

/**
 * Sum a gradient of `gShape` down to `targetShape` (the adjoint of broadcasting); returns g when shapes match.
 * Accumulates in float64 so float32 sums over many elements (bias gradients) stay accurate.
 */
export function reduceToShape(
  g: FloatArray,
  gShape: readonly number[],
  targetShape: readonly number[],
  alloc: (n: number) => FloatArray,
): FloatArray {
  if (sameShape(gShape, targetShape)) return g;
  let n = 1;
  for (const d of targetShape) n *= d;
  const out = alloc(n);
  const acc = out instanceof Float64Array ? out : new Float64Array(n);
  stridedScatterAdd(acc, g, gShape, broadcastStrides(targetShape, gShape));
  if (acc !== out) out.set(acc);
  return out;
}

/** Normalise a possibly negative axis against ndim, or throw naming the op. */
export function normAxis(op: string, axis: number, ndim: number): number {
  const a = axis < 0 ? axis + ndim : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= ndim)
    throw new ShapeError(`${op}: axis ${axis} is out of range for a tensor with ${ndim} dimensions`);
  return a;
}
