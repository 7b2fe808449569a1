/** Activations and (log-)softmax. */

import { addReluInto, getBackend, reluMaskInto } from '@asma/kernels';
import { record } from '../grad/tape.js';
import { allocate, shapeSize, Tensor } from '../tensor.js';
import { add, unary } from './elementwise.js';
import { normAxis } from './strided.js';

/** The backend's ReLU mask (threaded on the threaded backend), else the kernel function. */
const reluMask: typeof reluMaskInto = (out, src, x) => (getBackend().reluMask ?? reluMaskInto)(out, src, x);

// The ReLU kernels write their outputs whole: no zeroing (allocate(..., false)).
export function relu(a: Tensor): Tensor {
  const out = new Tensor(allocate(a.dtype, a.size, false), a.shape);
  reluMask(out.data, a.data, a.data);
  return record(out, 'relu', [a], (g) => {
    const gx = allocate(a.dtype, a.size, false);
    reluMask(gx, g, a.data);
    return [gx];
  });
}

/**
 * relu(a + b) as one op for same-shape inputs (the residual tail of an ST-GCN block): the backward masks
 * the gradient once for both inputs. Bit-identical to relu(add(a, b)), with one array and one pass
 * fewer; other shapes take exactly that composition.
 */
export function addRelu(a: Tensor, b: Tensor): Tensor {
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i]))
    return relu(add(a, b));
  const out = new Tensor(allocate(a.dtype, a.size, false), a.shape);
  const o = out.data;
  (getBackend().addRelu ?? addReluInto)(o, a.data, b.data);
  return record(out, 'addRelu', [a, b], (g) => {
    const gm = allocate(a.dtype, a.size, false);
    reluMask(gm, g, o);
    return [a.requiresGrad ? gm : null, b.requiresGrad ? gm : null];
  });
}

export function leakyRelu(a: Tensor, slope = 0.01): Tensor {
  return unary(
    'leakyRelu',
    a,
    (x) => (x > 0 ? x : slope * x),
    (x) => (x > 0 ? 1 : slope),
  );
}

export function sigmoid(a: Tensor): Tensor {
  return unary(
    'sigmoid',
    a,
    (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
    (_x, y) => y * (1 - y),
  );
}

export function tanh(a: Tensor): Tensor {
  return unary('tanh', a, Math.tanh, (_x, y) => 1 - y * y);
}

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * erf to double precision via the all-positive series erf(x) = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (2n+1)!!
 * (no cancellation; |x| >= 6 rounds to +-1 in float64).
 */
export function erf(x: number): number {
  const z = Math.abs(x);
  if (z >= 6) return Math.sign(x);
  let term = z;
  let total = z;
  for (let n = 1; term > total * 1e-17; n++) {
    term *= (2 * z * z) / (2 * n + 1);
    total += term;
  }
  const r = (2 / Math.sqrt(Math.PI)) * Math.exp(-z * z) * total;
  return x < 0 ? -r : r;
}

/** GELU, exact (erf) form like torch's default. */
export function gelu(a: Tensor): Tensor {
  return unary(
    'gelu',
    a,
    (x) => 0.5 * x * (1 + erf(x * SQRT1_2)),
    (x) => 0.5 * (1 + erf(x * SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x),
  );
}

/** Iterate over the 1-D lanes along `axis`: lane(offset, stride, length). */
function lanes(
  shape: readonly number[],
  axis: number,
  lane: (off: number, stride: number, n: number) => void,
): void {
  const n = shape[axis]!;
  const inner = shapeSize(shape.slice(axis + 1));
  const outer = shapeSize(shape.slice(0, axis));
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) lane(o * n * inner + i, inner, n);
}

/** Numerically stable softmax along `axis` (default last). */
export function softmax(a: Tensor, axis = -1): Tensor {
  const ax = normAxis('softmax', axis, a.ndim);
  const x = a.data;
  const out = new Tensor(allocate(a.dtype, a.size), a.shape);
  const y = out.data;
  lanes(a.shape, ax, (off, s, n) => {
    let mx = Number.NEGATIVE_INFINITY;
    for (let j = 0, p = off; j < n; j++, p += s) if (x[p]! > mx) mx = x[p]!;
    let z = 0;
    for (let j = 0, p = off; j < n; j++, p += s) {
      const e = Math.exp(x[p]! - mx);
      y[p] = e;
      z += e;
    }
    for (let j = 0, p = off; j < n; j++, p += s) y[p] = y[p]! / z;
  });
  return record(out, 'softmax', [a], (g) => {
    const gx = allocate(a.dtype, a.size);
    lanes(a.shape, ax, (off, s, n) => {
      let dot = 0;
      for (let j = 0, p = off; j < n; j++, p += s) dot += g[p]! * y[p]!;
      for (let j = 0, p = off; j < n; j++, p += s) gx[p] = y[p]! * (g[p]! - dot);
    });
    return [gx];
  });
}

/** Numerically stable log-softmax along `axis` (default last). */
export function logSoftmax(a: Tensor, axis = -1): Tensor {
  const ax = normAxis('logSoftmax', axis, a.ndim);
  const x = a.data;
  const out = new Tensor(allocate(a.dtype, a.size), a.shape);
  const y = out.data;
  lanes(a.shape, ax, (off, s, n) => {
    let mx = Number.NEGATIVE_INFINITY;
    for (let j = 0, p = off; j < n; j++, p += s) if (x[p]! > mx) mx = x[p]!;
    let z = 0;
    for (let j = 0, p = off; j < n; j++, p += s) z += Math.exp(x[p]! - mx);
    const lse = mx + Math.log(z);
    for (let j = 0, p = off; j < n; j++, p += s) y[p] = x[p]! - lse;
  });
  return record(out, 'logSoftmax', [a], (g) => {
    const gx = allocate(a.dtype, a.size);
    lanes(a.shape, ax, (off, s, n) => {
      let gs = 0;
      for (let j = 0, p = off; j < n; j++, p += s) gs += g[p]!;
      for (let j = 0, p = off; j < n; j++, p += s) gx[p] = g[p]! - Math.exp(y[p]!) * gs;
    });
    return [gx];
  });
}
