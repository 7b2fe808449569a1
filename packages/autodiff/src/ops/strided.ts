/**
 * Strided copy helpers shared by broadcasting, reductions and view-like ops (permute, slice, expand).
 * `shape` is the iteration shape (C-order); `strides` give the matching offset steps in the other array
 * (0 on a broadcast axis).
 */
import { getBackend, type Storage } from '@asma/kernels';
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
export function expandData<S extends Storage>(
  src: S,
  inShape: readonly number[],
  outShape: readonly number[],
  alloc: (n: number) => S,
): S {
  if (sameShape(inShape, outShape)) return src;
  let n = 1;
  for (const d of outShape) n *= d;
  const out = alloc(n);
  getBackend().gather(out, src, outShape, broadcastStrides(inShape, outShape), 0);
  return out;
}

/**
 * Sum a gradient of `gShape` down to `targetShape` (the adjoint of broadcasting); returns g when shapes match.
 * Accumulates in float64 so float32 sums over many elements (bias gradients) stay accurate.
 */
export function reduceToShape(
  g: Storage,
  gShape: readonly number[],
  targetShape: readonly number[],
  alloc: (n: number) => Storage,
): Storage {
  if (sameShape(gShape, targetShape)) return g;
  let n = 1;
  for (const d of targetShape) n *= d;
  const out = alloc(n);
  getBackend().reduceSum(out, g, gShape, broadcastStrides(targetShape, gShape));
  return out;
}

/** Normalise a possibly negative axis against ndim, or throw naming the op. */
export function normAxis(op: string, axis: number, ndim: number): number {
  const a = axis < 0 ? axis + ndim : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= ndim)
    throw new ShapeError(`${op}: axis ${axis} is out of range for a tensor with ${ndim} dimensions`);
  return a;
}
