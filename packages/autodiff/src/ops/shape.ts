/** Shape and indexing ops: reshape/view, flatten, (un)squeeze, permute/transpose, expand, slice, indexSelect, concat, stack, split. */
import { getBackend, type Storage } from '@asma/kernels';
import { record } from '../grad/tape.js';
import { allocate, type DType, shapeSize, storageOf, Tensor } from '../tensor.js';
import { ArgumentError, fmtShape, ShapeError } from './errors.js';
import { broadcastShapes, broadcastStrides, contiguousStrides, normAxis, sameShape } from './strided.js';

/** Reshape (a view: shares data with the input). One dimension may be -1. */
export function reshape(a: Tensor, shape: readonly number[]): Tensor {
  const target = [...shape];
  const free = target.indexOf(-1);
  if (free !== target.lastIndexOf(-1))
    throw new ShapeError(`reshape: more than one -1 in ${fmtShape(shape)}`);
  if (free >= 0) {
    const rest = shapeSize(target.filter((_, i) => i !== free));
    if (rest === 0 || a.size % rest !== 0)
      throw new ShapeError(
        `reshape: cannot reshape ${fmtShape(a.shape)} (${a.size} elements) to ${fmtShape(shape)}`,
      );
    target[free] = a.size / rest;
  }
  if (target.some((d) => !Number.isInteger(d) || d < 0) || shapeSize(target) !== a.size)
    throw new ShapeError(
      `reshape: cannot reshape ${fmtShape(a.shape)} (${a.size} elements) to ${fmtShape(shape)}`,
    );
  const out = new Tensor(a.storage, target);
  return record(out, 'reshape', [a], (g) => [g]);
}

export const view = reshape;

/** Merge axes startAxis..endAxis (inclusive) into one. */
export function flatten(a: Tensor, startAxis = 0, endAxis = -1): Tensor {
  if (a.ndim === 0) return reshape(a, [1]);
  const s = normAxis('flatten', startAxis, a.ndim);
  const e = normAxis('flatten', endAxis, a.ndim);
  if (s > e)
    throw new ArgumentError(
      `flatten: startAxis ${startAxis} comes after endAxis ${endAxis} for ${fmtShape(a.shape)}`,
    );
  return reshape(a, [...a.shape.slice(0, s), shapeSize(a.shape.slice(s, e + 1)), ...a.shape.slice(e + 1)]);
}

/** Remove size-1 axes (all of them, or the given one which must have size 1). */
export function squeeze(a: Tensor, axis?: number): Tensor {
  if (axis === undefined)
    return reshape(
      a,
      a.shape.filter((d) => d !== 1),
    );
  const ax = normAxis('squeeze', axis, a.ndim);
  if (a.shape[ax] !== 1)
    throw new ShapeError(`squeeze: axis ${axis} of ${fmtShape(a.shape)} has size ${a.shape[ax]}, not 1`);
  return reshape(
    a,
    a.shape.filter((_, i) => i !== ax),
  );
}

/** Insert a size-1 axis at `axis` (in the output's numbering, so -1 appends). */
export function unsqueeze(a: Tensor, axis: number): Tensor {
  const ax = normAxis('unsqueeze', axis, a.ndim + 1);
  return reshape(a, [...a.shape.slice(0, ax), 1, ...a.shape.slice(ax)]);
}

/** Copy `a` read through (shape, strides, offset) into a new tensor; the gradient scatters back. */
function stridedOp(op: string, a: Tensor, shape: number[], strides: number[], offset: number): Tensor {
  const be = getBackend();
  const out = new Tensor(allocate(a.dtype, shapeSize(shape), false), shape);
  be.gather(out.storage, storageOf(a), shape, strides, offset);
  return record(out, op, [a], (g) => {
    // expand sends many outputs to one input (a reduction); permute and slice send each to its own.
    if (op === 'expand') {
      const gx = allocate(a.dtype, a.size, false);
      be.reduceSum(gx, g, shape, strides);
      return [gx];
    }
    const gx = allocate(a.dtype, a.size);
    be.scatterAdd(gx, g, shape, strides, offset);
    return [gx];
  });
}

/** Reorder axes: output axis i is input axis perm[i]. */
export function permute(a: Tensor, perm: readonly number[]): Tensor {
  const nd = a.ndim;
  const seen = new Set<number>();
  const p = perm.map((x) => (Number.isInteger(x) && x >= -nd && x < nd ? (x + nd) % nd : Number.NaN));
  for (const x of p) seen.add(x);
  if (perm.length !== nd || seen.size !== nd || p.some(Number.isNaN))
    throw new ArgumentError(
      `permute: [${perm.join(',')}] is not a permutation of the axes of ${fmtShape(a.shape)}`,
    );
  if (p.every((x, i) => x === i)) return reshape(a, a.shape);
  const cs = contiguousStrides(a.shape);
  return stridedOp(
    'permute',
    a,
    p.map((x) => a.shape[x]!),
    p.map((x) => cs[x]!),
    0,
  );
}

/** Swap two axes (default: the last two). */
export function transpose(a: Tensor, axis0 = -2, axis1 = -1): Tensor {
  const i = normAxis('transpose', axis0, a.ndim);
  const j = normAxis('transpose', axis1, a.ndim);
  const perm = a.shape.map((_, k) => k);
  perm[i] = j;
  perm[j] = i;
  return permute(a, perm);
}

/** Broadcast to `shape` (NumPy rules; -1 keeps a dimension); the gradient sums over broadcast axes. */
export function expand(a: Tensor, shape: readonly number[]): Tensor {
  const off = shape.length - a.ndim;
  if (off < 0)
    throw new ShapeError(`expand: cannot expand ${fmtShape(a.shape)} to fewer dimensions ${fmtShape(shape)}`);
  const target = shape.map((d, i) => (d === -1 && i >= off ? a.shape[i - off]! : d));
  const b = broadcastShapes('expand', a.shape, target);
  if (!sameShape(b, target))
    throw new ShapeError(`expand: cannot expand ${fmtShape(a.shape)} to ${fmtShape(shape)}`);
  if (sameShape(a.shape, target)) return reshape(a, target);
  return stridedOp('expand', a, target, broadcastStrides(a.shape, target), 0);
}

/**
 * Python-style slice a[start:end:step] along one axis (negative start/end count from the end; positive step).
 */
export function slice(a: Tensor, axis: number, start = 0, end?: number, step = 1): Tensor {
  const ax = normAxis('slice', axis, a.ndim);
  const n = a.shape[ax]!;
  if (!Number.isInteger(step) || step <= 0)
    throw new ArgumentError(`slice: step must be a positive integer, got ${step}`);
  const clampIdx = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
  const s = clampIdx(start);
  const e = clampIdx(end ?? n);
  const len = e > s ? Math.ceil((e - s) / step) : 0;
  const cs = contiguousStrides(a.shape);
  const shape = [...a.shape];
  shape[ax] = len;
  const strides = [...cs];
  strides[ax] = cs[ax]! * step;
  return stridedOp('slice', a, shape, strides, s * cs[ax]!);
}

/**
 * Select entries along `axis` by index (like torch.index_select): output size along axis = indices.length.
 * Indices may repeat (their gradients add). This is how masked joints/frames are removed.
 */
export function indexSelect(a: Tensor, axis: number, indices: ArrayLike<number>): Tensor {
  const ax = normAxis('indexSelect', axis, a.ndim);
  const n = a.shape[ax]!;
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= n)
      throw new ArgumentError(
        `indexSelect: index ${v} at position ${i} is out of range for axis ${axis} of size ${n} in ${fmtShape(a.shape)}`,
      );
  }
  const outer = shapeSize(a.shape.slice(0, ax));
  const inner = shapeSize(a.shape.slice(ax + 1));
  const m = indices.length;
  const idx = Int32Array.from(indices);
  const shape = [...a.shape];
  shape[ax] = m;
  const out = new Tensor(allocate(a.dtype, outer * m * inner, false), shape);
  const be = getBackend();
  const x = storageOf(a);
  // One strided copy per selected index: (outer, inner) blocks, conflict-free in both directions.
  const block = [outer, inner];
  const srcStrides = [n * inner, 1];
  const dstStrides = [m * inner, 1];
  for (let j = 0; j < m; j++)
    be.scatter(
      out.storage,
      sliceOf(be, x, block, srcStrides, idx[j]! * inner, a.dtype),
      block,
      dstStrides,
      j * inner,
    );
  return record(out, 'indexSelect', [a], (g) => {
    const gx = allocate(a.dtype, a.size);
    // Repeated indices add up: each call adds one selected block.
    for (let j = 0; j < m; j++)
      be.scatterAdd(
        gx,
        sliceOf(be, g, block, dstStrides, j * inner, a.dtype),
        block,
        srcStrides,
        idx[j]! * inner,
      );
    return [gx];
  });
}

/** A contiguous copy of src read through (shape, strides, offset). */
function sliceOf(
  be: ReturnType<typeof getBackend>,
  src: Storage,
  shape: number[],
  strides: number[],
  offset: number,
  dtype: DType,
): Storage {
  const out = allocate(dtype, shapeSize(shape), false);
  be.gather(out, src, shape, strides, offset);
  return out;
}

/** Alias: gather whole slices along an axis (same as indexSelect). */
export const gather = indexSelect;

/** Concatenate along an existing axis; all other dimensions must match. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ArgumentError('concat: needs at least one tensor');
  const first = tensors[0]!;
  const ax = normAxis('concat', axis, first.ndim);
  for (const t of tensors) {
    if (t.dtype !== first.dtype)
      throw new ArgumentError(`concat: mixed dtypes ${first.dtype} and ${t.dtype}`);
    if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== ax && d !== first.shape[i]))
      throw new ShapeError(
        `concat: cannot concatenate ${fmtShape(first.shape)} with ${fmtShape(t.shape)} along axis ${axis}`,
      );
  }
  const outer = shapeSize(first.shape.slice(0, ax));
  const inner = shapeSize(first.shape.slice(ax + 1));
  const sizes = tensors.map((t) => t.shape[ax]!);
  const total = sizes.reduce((p, q) => p + q, 0);
  const shape = [...first.shape];
  shape[ax] = total;
  const out = new Tensor(allocate(first.dtype, outer * total * inner, false), shape);
  const be = getBackend();
  let at = 0;
  for (let k = 0; k < tensors.length; k++) {
    const w = sizes[k]! * inner;
    be.scatter(out.storage, storageOf(tensors[k]!), [outer, w], [total * inner, 1], at * inner);
    at += sizes[k]!;
  }
  return record(out, 'concat', [...tensors], (g) => {
    let pos = 0;
    return tensors.map((t, k) => {
      const w = sizes[k]! * inner;
      const start = pos;
      pos += sizes[k]!;
      if (!t.requiresGrad) return null;
      const gx = allocate(first.dtype, t.size, false);
      be.gather(gx, g, [outer, w], [total * inner, 1], start * inner);
      return gx;
    });
  });
}

/** Stack equal-shaped tensors along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ArgumentError('stack: needs at least one tensor');
  const first = tensors[0]!;
  for (const t of tensors)
    if (!sameShape(t.shape, first.shape))
      throw new ShapeError(`stack: cannot stack ${fmtShape(first.shape)} with ${fmtShape(t.shape)}`);
  const ax = normAxis('stack', axis, first.ndim + 1);
  return concat(
    tensors.map((t) => unsqueeze(t, ax)),
    ax,
  );
}

/** Split along an axis into chunks of `size` (last may be smaller) or into the given list of sizes. */
export function split(a: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  const ax = normAxis('split', axis, a.ndim);
  const n = a.shape[ax]!;
  let list: number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes <= 0)
      throw new ArgumentError(`split: chunk size must be a positive integer, got ${sizes}`);
    list = [];
    for (let s = 0; s < n; s += sizes) list.push(Math.min(sizes, n - s));
  } else {
    list = [...sizes];
    if (list.some((s) => !Number.isInteger(s) || s < 0) || list.reduce((p, q) => p + q, 0) !== n)
      throw new ShapeError(
        `split: sizes [${list.join(',')}] do not sum to ${n} (axis ${axis} of ${fmtShape(a.shape)})`,
      );
  }
  const out: Tensor[] = [];
  let at = 0;
  for (const s of list) {
    out.push(slice(a, ax, at, at + s));
    at += s;
  }
  return out;
}
