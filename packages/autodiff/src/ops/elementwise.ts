/** Elementwise arithmetic with NumPy broadcasting, scalar variants, and elementwise math functions. */
import { type BinaryOp, getBackend, type Storage, stridedGather, type UnaryOp } from '@asma/kernels';
import { record } from '../grad/tape.js';
import { allocate, assertSameDtype, type DType, storageOf, Tensor } from '../tensor.js';
import { ArgumentError, fmtShape, ShapeError } from './errors.js';
import { broadcastShapes, broadcastStrides, expandData, reduceToShape } from './strided.js';

/**
 * Shared driver for broadcasting binary ops: both operands are expanded to the output shape, the kernel
 * runs over equal-length arrays, and gradients are summed back down to each input's shape.
 * The backward re-expands the inputs instead of keeping the expanded copies alive.
 */
function binary(op: string, kernel: BinaryOp, a: Tensor, b: Tensor): Tensor {
  assertSameDtype(op, a, b);
  const shape = broadcastShapes(op, a.shape, b.shape);
  const alloc = (n: number) => allocate(a.dtype, n);
  const as = storageOf(a);
  const bs = storageOf(b);
  const x = expandData(as, a.shape, shape, alloc);
  const y = expandData(bs, b.shape, shape, alloc);
  const out = new Tensor(alloc(x.length), shape);
  const be = getBackend();
  be.binary(kernel, out.storage, x, y);
  return record(out, op, [a, b], (g) => {
    // add hands g on as it is, and so does sub to its first operand (no copy, no expanded operands).
    const passes = kernel === 'add' || kernel === 'sub';
    const xe = passes ? g : expandData(as, a.shape, shape, alloc);
    const ye = passes ? g : expandData(bs, b.shape, shape, alloc);
    const grad = (which: 0 | 1): Storage => {
      if (kernel === 'add' || (kernel === 'sub' && which === 0)) return g;
      const gx = allocate(a.dtype, g.length);
      be.binaryGrad(kernel, which, gx, g, xe, ye, out.storage);
      return gx;
    };
    return [
      a.requiresGrad ? reduceToShape(grad(0), shape, a.shape, alloc) : null,
      b.requiresGrad ? reduceToShape(grad(1), shape, b.shape, alloc) : null,
    ];
  });
}

/** Elementwise unary op through the backend's table: out = op(x); backward g * op'(x). */
export function unary(name: string, op: UnaryOp, a: Tensor, p0 = 0, p1 = 0): Tensor {
  const n = a.size;
  const x = storageOf(a);
  const out = new Tensor(allocate(a.dtype, n), a.shape);
  const be = getBackend();
  be.unary(op, out.storage, x, p0, p1);
  return record(out, name, [a], (g) => {
    // x + c passes the gradient on unchanged.
    if (op === 'affine' && p0 === 1) return [g];
    const gx = allocate(a.dtype, n);
    be.unaryGrad(op, gx, g, x, out.storage, p0, p1);
    return [gx];
  });
}

/** out = scale * x + shift (the kernel keeps x + c, x * c and c - x bit-identical to their plain forms). */
function affine(op: string, a: Tensor, scale: number, shift: number): Tensor {
  return unary(op, 'affine', a, scale, shift);
}

/** x / d with true division (not x * (1/d)), matching PyTorch to the last bit. */
function scalarDiv(a: Tensor, d: number): Tensor {
  return unary('div', 'divScalar', a, d);
}

export function add(a: Tensor | number, b: Tensor | number): Tensor {
  if (typeof b === 'number') {
    if (typeof a === 'number') throw new ArgumentError('add: at least one operand must be a Tensor');
    return affine('add', a, 1, b);
  }
  if (typeof a === 'number') return add(b, a);
  return binary('add', 'add', a, b);
}

export function sub(a: Tensor | number, b: Tensor | number): Tensor {
  if (typeof b === 'number') {
    if (typeof a === 'number') throw new ArgumentError('sub: at least one operand must be a Tensor');
    return affine('sub', a, 1, -b);
  }
  if (typeof a === 'number') return affine('sub', b, -1, a);
  return binary('sub', 'sub', a, b);
}

export function mul(a: Tensor | number, b: Tensor | number): Tensor {
  if (typeof b === 'number') {
    if (typeof a === 'number') throw new ArgumentError('mul: at least one operand must be a Tensor');
    return affine('mul', a, b, 0);
  }
  if (typeof a === 'number') return mul(b, a);
  return binary('mul', 'mul', a, b);
}

export function div(a: Tensor | number, b: Tensor | number): Tensor {
  if (typeof b === 'number') {
    if (typeof a === 'number') throw new ArgumentError('div: at least one operand must be a Tensor');
    return scalarDiv(a, b);
  }
  if (typeof a === 'number') return unary('div', 'rdiv', b, a);
  return binary('div', 'div', a, b);
}

/** Elementwise maximum of two tensors (gradient to the larger; ties go to a). */
export function maximum(a: Tensor, b: Tensor): Tensor {
  return binary('maximum', 'maximum', a, b);
}

/** F.kl_div's pointwise term: target > 0 ? target (log target - input) : 0 (input: log-probabilities). */
export function klPointwise(input: Tensor, target: Tensor): Tensor {
  return binary('klDiv', 'klDiv', input, target);
}

export function neg(a: Tensor): Tensor {
  return unary('neg', 'neg', a);
}

export function exp(a: Tensor): Tensor {
  return unary('exp', 'exp', a);
}

export function log(a: Tensor): Tensor {
  return unary('log', 'log', a);
}

export function sqrt(a: Tensor): Tensor {
  return unary('sqrt', 'sqrt', a);
}

export function square(a: Tensor): Tensor {
  return unary('square', 'square', a);
}

/** x ** p for a scalar exponent p. */
export function pow(a: Tensor, p: number): Tensor {
  if (p === 2) return square(a);
  return unary('pow', 'pow', a, p);
}

export function abs(a: Tensor): Tensor {
  return unary('abs', 'abs', a);
}

/** Clamp into [min, max] (either bound may be omitted); gradient 1 inside and at the bounds (as PyTorch), 0 outside. */
export function clamp(a: Tensor, min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY): Tensor {
  if (min > max) throw new ArgumentError(`clamp: min ${min} > max ${max}`);
  return unary('clamp', 'clamp', a, min, max);
}

/** Change storage precision; the gradient is cast back. */
export function cast(a: Tensor, dtype: DType): Tensor {
  const be = getBackend();
  const out = new Tensor(allocate(dtype, a.size, false), a.shape);
  be.copy(out.storage, storageOf(a));
  return record(out, 'cast', [a], (g) => {
    const gx = allocate(a.dtype, a.size, false);
    be.copy(gx, g);
    return [gx];
  });
}

/**
 * torch.Tensor.masked_fill: `value` where mask is non-zero, x elsewhere. `mask` (any dtype, 0/1) broadcasts to
 * x's shape; the gradient flows to x only where the mask is 0 (used for attention masks with -Infinity).
 * Host tensors only.
 */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  const shape = broadcastShapes('maskedFill', x.shape, mask.shape);
  if (shape.length !== x.ndim || shape.some((d, i) => d !== x.shape[i]))
    throw new ShapeError(
      `maskedFill: mask ${fmtShape(mask.shape)} does not broadcast to input ${fmtShape(x.shape)}`,
    );
  const m = new Float64Array(x.size);
  stridedGather(m, mask.data, shape, broadcastStrides(mask.shape, shape));
  const out = new Tensor(allocate(x.dtype, x.size), x.shape);
  const xd = x.data;
  const od = out.data;
  for (let i = 0; i < x.size; i++) od[i] = m[i] !== 0 ? value : xd[i]!;
  return record(out, 'maskedFill', [x], (g) => {
    const gx = allocate(x.dtype, x.size) as Float32Array | Float64Array;
    const gh = g as Float32Array | Float64Array;
    for (let i = 0; i < x.size; i++) gx[i] = m[i] !== 0 ? 0 : gh[i]!;
    return [gx];
  });
}
