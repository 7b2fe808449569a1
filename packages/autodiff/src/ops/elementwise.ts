/** Elementwise arithmetic with NumPy broadcasting, scalar variants, and elementwise math functions. */
import type { FloatArray } from '@asma/kernels';
import { record } from '../grad/tape.js';
import { allocate, assertSameDtype, type DType, Tensor } from '../tensor.js';
import { ArgumentError, fmtShape, ShapeError } from './errors.js';
import { broadcastShapes, expandData, reduceToShape } from './strided.js';

/** x() and y() give the operands expanded to the output shape, computed only when a gradient needs them. */
type BinaryBackward = (
  g: FloatArray,
  x: () => FloatArray,
  y: () => FloatArray,
  out: FloatArray,
) => [FloatArray | null, FloatArray | null];

/**
 * Shared driver for broadcasting binary ops: both operands are expanded to the output shape, the kernel
 * runs over equal-length arrays, and gradients are summed back down to each input's shape.
 * The backward re-expands the inputs instead of keeping the expanded copies alive.
 */
function binary(
  op: string,
  a: Tensor,
  b: Tensor,
  kernel: (out: FloatArray, x: FloatArray, y: FloatArray) => void,
  grads: BinaryBackward,
): Tensor {
  assertSameDtype(op, a, b);
  const shape = broadcastShapes(op, a.shape, b.shape);
  const alloc = (n: number) => allocate(a.dtype, n);
  const x = expandData(a.data, a.shape, shape, alloc);
  const y = expandData(b.data, b.shape, shape, alloc);
  const out = new Tensor(alloc(x.length), shape);
  kernel(out.data, x, y);
  return record(out, op, [a, b], (g) => {
    const xe = () => expandData(a.data, a.shape, shape, alloc);
    const ye = () => expandData(b.data, b.shape, shape, alloc);
    const [ga, gb] = grads(g, xe, ye, out.data);
    return [
      ga && a.requiresGrad ? reduceToShape(ga, shape, a.shape, alloc) : null,
      gb && b.requiresGrad ? reduceToShape(gb, shape, b.shape, alloc) : null,
    ];
  });
}

/** Elementwise unary op: out = f(x); backward g * df(x, out). */
export function unary(
  op: string,
  a: Tensor,
  f: (x: number) => number,
  df: (x: number, y: number) => number,
): Tensor {
  const n = a.size;
  const x = a.data;
  const out = new Tensor(allocate(a.dtype, n), a.shape);
  const y = out.data;
  for (let i = 0; i < n; i++) y[i] = f(x[i]!);
  return record(out, op, [a], (g) => {
    const gx = allocate(a.dtype, n);
    for (let i = 0; i < n; i++) gx[i] = g[i]! * df(x[i]!, y[i]!);
    return [gx];
  });
}

/** out = scale * x + shift with its own loop (scalar arithmetic is hot; a generic callback would not inline). */
function affine(op: string, a: Tensor, scale: number, shift: number): Tensor {
  const n = a.size;
  const x = a.data;
  const out = new Tensor(allocate(a.dtype, n), a.shape);
  const y = out.data;
  // Separate loops keep results bit-identical to x + c, x * c and c - x (no spurious + 0 or 1 *).
  if (scale === 1) for (let i = 0; i < n; i++) y[i] = x[i]! + shift;
  else if (shift === 0) for (let i = 0; i < n; i++) y[i] = scale * x[i]!;
  else for (let i = 0; i < n; i++) y[i] = scale * x[i]! + shift;
  return record(out, op, [a], (g) => {
    if (scale === 1) return [g];
    const gx = allocate(a.dtype, n);
    for (let i = 0; i < n; i++) gx[i] = scale * g[i]!;
    return [gx];
  });
}

/** x / d with true division (not x * (1/d)), matching PyTorch to the last bit. */
function scalarDiv(a: Tensor, d: number): Tensor {
  const n = a.size;
  const x = a.data;
  const out = new Tensor(allocate(a.dtype, n), a.shape);
  const y = out.data;
  for (let i = 0; i < n; i++) y[i] = x[i]! / d;
  return record(out, 'div', [a], (g) => {
    const gx = allocate(a.dtype, n);
    for (let i = 0; i < n; i++) gx[i] = g[i]! / d;
    return [gx];
  });
}

function fill(t: FloatArray, n: number): FloatArray {
  return t.constructor === Float64Array ? new Float64Array(n) : new Float32Array(n);
}

export function add(a: Tensor | number, b: Tensor | number): Tensor {
  if (typeof b === 'number') {
    if (typeof a === 'number') throw new ArgumentError('add: at least one operand must be a Tensor');
    return affine('add', a, 1, b);
  }
  if (typeof a === 'number') return add(b, a);
  return binary(
    'add',
    a,
    b,
    (o, x, y) => {
      for (let i = 0; i < o.length; i++) o[i] = x[i]! + y[i]!;
    },
    (g) => [g, g],
  );
}

export function sub(a: Tensor | number, b: Tensor | number): Tensor {
  if (typeof b === 'number') {
    if (typeof a === 'number') throw new ArgumentError('sub: at least one operand must be a Tensor');
    return affine('sub', a, 1, -b);
  }
  if (typeof a === 'number') return affine('sub', b, -1, a);
  return binary(
    'sub',
    a,
    b,
    (o, x, y) => {
      for (let i = 0; i < o.length; i++) o[i] = x[i]! - y[i]!;
    },
    (g) => {
      const gb = fill(g, g.length);
      for (let i = 0; i < g.length; i++) gb[i] = -g[i]!;
      return [g, gb];
    },
  );
}

export function mul(a: Tensor | number, b: Tensor | number): Tensor {
  if (typeof b === 'number') {
    if (typeof a === 'number') throw new ArgumentError('mul: at least one operand must be a Tensor');
    return affine('mul', a, b, 0);
  }
  if (typeof a === 'number') return mul(b, a);
  return binary(
    'mul',
    a,
    b,
    (o, x, y) => {
      for (let i = 0; i < o.length; i++) o[i] = x[i]! * y[i]!;
    },
    (g, x, y) => {
      const n = g.length;
      const ga = a.requiresGrad ? fill(g, n) : null;
      const gb = b.requiresGrad ? fill(g, n) : null;
      if (ga) {
        const ye = y();
        for (let i = 0; i < n; i++) ga[i] = g[i]! * ye[i]!;
      }
      if (gb) {
        const xe = x();
        for (let i = 0; i < n; i++) gb[i] = g[i]! * xe[i]!;
      }
      return [ga, gb];
    },
  );
}

export function div(a: Tensor | number, b: Tensor | number): Tensor {
  if (typeof b === 'number') {
    if (typeof a === 'number') throw new ArgumentError('div: at least one operand must be a Tensor');
    return scalarDiv(a, b);
  }
  if (typeof a === 'number')
    return unary(
      'div',
      b,
      (y) => a / y,
      (y, o) => -o / y,
    );
  return binary(
    'div',
    a,
    b,
    (o, x, y) => {
      for (let i = 0; i < o.length; i++) o[i] = x[i]! / y[i]!;
    },
    (g, _x, y, out) => {
      const n = g.length;
      const ga = a.requiresGrad ? fill(g, n) : null;
      const gb = b.requiresGrad ? fill(g, n) : null;
      const ye = y();
      if (ga) for (let i = 0; i < n; i++) ga[i] = g[i]! / ye[i]!;
      if (gb) for (let i = 0; i < n; i++) gb[i] = (-g[i]! * out[i]!) / ye[i]!;
      return [ga, gb];
    },
  );
}

/** Elementwise maximum of two tensors (gradient to the larger; ties go to a). */
export function maximum(a: Tensor, b: Tensor): Tensor {
  return binary(
    'maximum',
    a,
    b,
    (o, x, y) => {
      // biome-ignore lint/complexity/useMathMinMax: the forward must pick the operand the gradient goes to (a on ties, b on NaN)
      for (let i = 0; i < o.length; i++) o[i] = x[i]! >= y[i]! ? x[i]! : y[i]!;
    },
    (g, x, y) => {
      const ga = fill(g, g.length);
      const gb = fill(g, g.length);
      const xe = x();
      const ye = y();
      for (let i = 0; i < g.length; i++) (xe[i]! >= ye[i]! ? ga : gb)[i] = g[i]!;
      return [ga, gb];
    },
  );
}

export function neg(a: Tensor): Tensor {
  return unary(
    'neg',
    a,
    (x) => -x,
    () => -1,
  );
}

export function exp(a: Tensor): Tensor {
  return unary('exp', a, Math.exp, (_x, y) => y);
}

export function log(a: Tensor): Tensor {
  return unary('log', a, Math.log, (x) => 1 / x);
}

export function sqrt(a: Tensor): Tensor {
  return unary('sqrt', a, Math.sqrt, (_x, y) => 0.5 / y);
}

export function square(a: Tensor): Tensor {
  return unary(
    'square',
    a,
    (x) => x * x,
    (x) => 2 * x,
  );
}

/** x ** p for a scalar exponent p. */
export function pow(a: Tensor, p: number): Tensor {
  if (p === 2) return square(a);
  return unary(
    'pow',
    a,
    (x) => x ** p,
    (x) => p * x ** (p - 1),
  );
}

export function abs(a: Tensor): Tensor {
  return unary('abs', a, Math.abs, (x) => (x > 0 ? 1 : x < 0 ? -1 : 0));
}

/** Clamp into [min, max] (either bound may be omitted); gradient 1 inside and at the bounds (as PyTorch), 0 outside. */
export function clamp(a: Tensor, min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY): Tensor {
  if (min > max) throw new ArgumentError(`clamp: min ${min} > max ${max}`);
  return unary(
    'clamp',
    a,
    // biome-ignore lint/complexity/useMathMinMax: one comparison chain, mirrored by the gradient below
    (x) => (x < min ? min : x > max ? max : x),
    (x) => (x >= min && x <= max ? 1 : 0),
  );
}

/** Change storage precision; the gradient is cast back. */
export function cast(a: Tensor, dtype: DType): Tensor {
  const out = new Tensor(allocate(dtype, a.size), a.shape);
  out.data.set(a.data);
  return record(out, 'cast', [a], (g) => {
    const gx = allocate(a.dtype, a.size);
    gx.set(g);
    return [gx];
  });
}

/**
 * torch.Tensor.masked_fill: `value` where mask is non-zero, x elsewhere. `mask` (any dtype, 0/1) broadcasts to
 * x's shape; the gradient flows to x only where the mask is 0 (used for attention masks with -Infinity).
 */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  const shape = broadcastShapes('maskedFill', x.shape, mask.shape);
  if (shape.length !== x.ndim || shape.some((d, i) => d !== x.shape[i]))
    throw new ShapeError(
      `maskedFill: mask ${fmtShape(mask.shape)} does not broadcast to input ${fmtShape(x.shape)}`,
    );
  const m = expandData(mask.data, mask.shape, shape, (n) => new Float64Array(n));
  const out = new Tensor(allocate(x.dtype, x.size), x.shape);
  const xd = x.data;
  for (let i = 0; i < x.size; i++) out.data[i] = m[i] !== 0 ? value : xd[i]!;
  return record(out, 'maskedFill', [x], (g) => {
    const gx = allocate(x.dtype, x.size);
    for (let i = 0; i < x.size; i++) gx[i] = m[i] !== 0 ? 0 : g[i]!;
    return [gx];
  });
}
