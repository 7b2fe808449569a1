/**
 * The CPU backends' element-wise, data-movement, reduction, loss and optimiser entries of the kernel
 * table: plain loops over host arrays, each the exact arithmetic autodiff's ops ran before they
 * dispatched here (same expressions, same order, so results keep their bits).
 */
import type {
  AdamArgs,
  BinaryOp,
  FloatArray,
  KernelBackend,
  SgdArgs,
  SoftmaxArgs,
  UnaryOp,
} from '../types.js';
import { mulInto } from './elementwise/ops.js';
import { erf } from './erf.js';
import { stridedGather, stridedScatter, sumRuns, trailingRun } from './strided.js';

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** The element-wise map of a unary op (p0, p1: its parameters). */
function unaryMap(op: UnaryOp, p0: number, p1: number): (x: number) => number {
  switch (op) {
    case 'neg':
      return (x) => -x;
    case 'exp':
      return Math.exp;
    case 'log':
      return Math.log;
    case 'sqrt':
      return Math.sqrt;
    case 'square':
      return (x) => x * x;
    case 'abs':
      return Math.abs;
    case 'pow':
      return (x) => x ** p0;
    case 'clamp':
      // biome-ignore lint/complexity/useMathMinMax: one comparison chain, mirrored by the gradient
      return (x) => (x < p0 ? p0 : x > p1 ? p1 : x);
    case 'rdiv':
      return (x) => p0 / x;
    case 'relu':
      // biome-ignore lint/complexity/useMathMinMax: ReLU's rule (NaN and -0 give +0), not Math.max's
      return (x) => (x > 0 ? x : 0);
    case 'leakyRelu':
      return (x) => (x > 0 ? x : p0 * x);
    case 'sigmoid':
      return (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
    case 'tanh':
      return Math.tanh;
    case 'gelu':
      return (x) => 0.5 * x * (1 + erf(x * SQRT1_2));
    case 'affine':
    case 'divScalar':
      throw new Error(`unaryMap: ${op} has its own loop`);
  }
}

/** d op(x) / dx given x and y = op(x). */
function unaryDerivative(op: UnaryOp, p0: number, p1: number): (x: number, y: number) => number {
  switch (op) {
    case 'neg':
      return () => -1;
    case 'exp':
      return (_x, y) => y;
    case 'log':
      return (x) => 1 / x;
    case 'sqrt':
      return (_x, y) => 0.5 / y;
    case 'square':
      return (x) => 2 * x;
    case 'abs':
      return (x) => (x > 0 ? 1 : x < 0 ? -1 : 0);
    case 'pow':
      return (x) => p0 * x ** (p0 - 1);
    case 'clamp':
      return (x) => (x >= p0 && x <= p1 ? 1 : 0);
    case 'rdiv':
      return (x, y) => -y / x;
    case 'relu':
      return (x) => (x > 0 ? 1 : 0);
    case 'leakyRelu':
      return (x) => (x > 0 ? 1 : p0);
    case 'sigmoid':
      return (_x, y) => y * (1 - y);
    case 'tanh':
      return (_x, y) => 1 - y * y;
    case 'gelu':
      return (x) => 0.5 * (1 + erf(x * SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    case 'affine':
    case 'divScalar':
      throw new Error(`unaryDerivative: ${op} has its own loop`);
  }
}

function unary(op: UnaryOp, y: FloatArray, x: FloatArray, p0 = 0, p1 = 0): void {
  const n = y.length;
  if (op === 'affine') {
    // Separate loops keep results bit-identical to x + c, x * c and c - x (no spurious + 0 or 1 *).
    const [scale, shift] = [p0, p1];
    if (scale === 1) for (let i = 0; i < n; i++) y[i] = x[i]! + shift;
    else if (shift === 0) for (let i = 0; i < n; i++) y[i] = scale * x[i]!;
    else for (let i = 0; i < n; i++) y[i] = scale * x[i]! + shift;
    return;
  }
  // True division (not x * (1/d)), matching PyTorch to the last bit.
  if (op === 'divScalar') {
    for (let i = 0; i < n; i++) y[i] = x[i]! / p0;
    return;
  }
  const f = unaryMap(op, p0, p1);
  for (let i = 0; i < n; i++) y[i] = f(x[i]!);
}

function unaryGrad(
  op: UnaryOp,
  gx: FloatArray,
  g: FloatArray,
  x: FloatArray,
  y: FloatArray,
  p0 = 0,
  p1 = 0,
): void {
  const n = gx.length;
  if (op === 'affine') {
    for (let i = 0; i < n; i++) gx[i] = p0 * g[i]!;
    return;
  }
  if (op === 'divScalar') {
    for (let i = 0; i < n; i++) gx[i] = g[i]! / p0;
    return;
  }
  const df = unaryDerivative(op, p0, p1);
  for (let i = 0; i < n; i++) gx[i] = g[i]! * df(x[i]!, y[i]!);
}

function binary(op: BinaryOp, o: FloatArray, x: FloatArray, y: FloatArray): void {
  const n = o.length;
  switch (op) {
    case 'add':
      for (let i = 0; i < n; i++) o[i] = x[i]! + y[i]!;
      return;
    case 'sub':
      for (let i = 0; i < n; i++) o[i] = x[i]! - y[i]!;
      return;
    case 'mul':
      // The SIMD kernel for large float32 arrays (a float32 product is exact in float64: same bits).
      mulInto(o, x, y);
      return;
    case 'div':
      for (let i = 0; i < n; i++) o[i] = x[i]! / y[i]!;
      return;
    case 'maximum':
      // biome-ignore lint/complexity/useMathMinMax: the forward must pick the operand the gradient goes to (a on ties, b on NaN)
      for (let i = 0; i < n; i++) o[i] = x[i]! >= y[i]! ? x[i]! : y[i]!;
      return;
    case 'klDiv':
      // x: log-probabilities, y: target probabilities.
      for (let i = 0; i < n; i++) o[i] = y[i]! > 0 ? y[i]! * (Math.log(y[i]!) - x[i]!) : 0;
      return;
  }
}

function binaryGrad(
  op: BinaryOp,
  which: 0 | 1,
  gx: FloatArray,
  g: FloatArray,
  x: FloatArray,
  y: FloatArray,
  out: FloatArray,
): void {
  const n = gx.length;
  switch (op) {
    case 'add':
      gx.set(g);
      return;
    case 'sub':
      if (which === 0) gx.set(g);
      else for (let i = 0; i < n; i++) gx[i] = -g[i]!;
      return;
    case 'mul': {
      const other = which === 0 ? y : x;
      for (let i = 0; i < n; i++) gx[i] = g[i]! * other[i]!;
      return;
    }
    case 'div':
      if (which === 0) for (let i = 0; i < n; i++) gx[i] = g[i]! / y[i]!;
      else for (let i = 0; i < n; i++) gx[i] = (-g[i]! * out[i]!) / y[i]!;
      return;
    case 'maximum':
      if (which === 0) for (let i = 0; i < n; i++) gx[i] = x[i]! >= y[i]! ? g[i]! : 0;
      else for (let i = 0; i < n; i++) gx[i] = x[i]! >= y[i]! ? 0 : g[i]!;
      return;
    case 'klDiv':
      if (which === 0) for (let i = 0; i < n; i++) gx[i] = -g[i]! * y[i]!;
      else for (let i = 0; i < n; i++) gx[i] = y[i]! > 0 ? g[i]! * (Math.log(y[i]!) + 1 - x[i]!) : 0;
      return;
  }
}

/** Float64 accumulation then one rounding, so float32 sums over many elements stay accurate. */
function reduceSum(
  out: FloatArray,
  src: FloatArray,
  shape: readonly number[],
  strides: readonly number[],
): void {
  const acc = out instanceof Float64Array ? out : new Float64Array(out.length);
  acc.fill(0);
  // Trailing reduced axes (global pooling): each group is one contiguous run, summed in a register in
  // the same order as the strided scatter-add, which chains through memory (~5x slower).
  const run = trailingRun(shape, strides);
  if (run > 0) sumRuns(acc, src, run);
  else stridedScatter(acc, src, shape, strides, 0, true);
  if (acc !== out) out.set(acc);
}

/** Lanes of (outer, n, inner) along the middle axis: lane(offset, stride). */
function lanes(a: SoftmaxArgs, lane: (off: number, stride: number) => void): void {
  for (let o = 0; o < a.outer; o++) for (let i = 0; i < a.inner; i++) lane(o * a.n * a.inner + i, a.inner);
}

function softmax(y: FloatArray, x: FloatArray, a: SoftmaxArgs): void {
  const n = a.n;
  lanes(a, (off, s) => {
    let mx = Number.NEGATIVE_INFINITY;
    for (let j = 0, p = off; j < n; j++, p += s) if (x[p]! > mx) mx = x[p]!;
    let z = 0;
    if (a.log) {
      for (let j = 0, p = off; j < n; j++, p += s) z += Math.exp(x[p]! - mx);
      const lse = mx + Math.log(z);
      for (let j = 0, p = off; j < n; j++, p += s) y[p] = x[p]! - lse;
      return;
    }
    for (let j = 0, p = off; j < n; j++, p += s) {
      const e = Math.exp(x[p]! - mx);
      y[p] = e;
      z += e;
    }
    for (let j = 0, p = off; j < n; j++, p += s) y[p] = y[p]! / z;
  });
}

function softmaxGrad(gx: FloatArray, g: FloatArray, y: FloatArray, a: SoftmaxArgs): void {
  const n = a.n;
  lanes(a, (off, s) => {
    if (a.log) {
      let gs = 0;
      for (let j = 0, p = off; j < n; j++, p += s) gs += g[p]!;
      for (let j = 0, p = off; j < n; j++, p += s) gx[p] = g[p]! - Math.exp(y[p]!) * gs;
      return;
    }
    let dot = 0;
    for (let j = 0, p = off; j < n; j++, p += s) dot += g[p]! * y[p]!;
    for (let j = 0, p = off; j < n; j++, p += s) gx[p] = y[p]! * (g[p]! - dot);
  });
}

// The optimiser steps return whether every updated value is finite: z stays 0 while they are
// (x * 0 is NaN for NaN and Inf), one multiply-add per element instead of a second pass.

function adamStep(p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, h: AdamArgs): boolean {
  const { b1, b2, eps, l2, stepSize, bc2Sqrt, decay } = h;
  if (decay !== 1) for (let i = 0; i < p.length; i++) p[i] = p[i]! * decay;
  let z = 0;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]! + l2 * p[i]!;
    m[i] = b1 * m[i]! + (1 - b1) * gi;
    v[i] = b2 * v[i]! + (1 - b2) * gi * gi;
    p[i] = p[i]! - (stepSize * m[i]!) / (Math.sqrt(v[i]!) / bc2Sqrt + eps);
    z += p[i]! * 0;
  }
  return z === 0;
}

function sgdStep(p: FloatArray, g: FloatArray, buf: FloatArray | null, h: SgdArgs): boolean {
  const { lr, momentum, dampening, nesterov, weightDecay: wd, first } = h;
  let z = 0;
  if (buf === null) {
    for (let i = 0; i < p.length; i++) {
      p[i] = p[i]! - lr * (g[i]! + wd * p[i]!);
      z += p[i]! * 0;
    }
    return z === 0;
  }
  for (let i = 0; i < p.length; i++) {
    const d = g[i]! + wd * p[i]!;
    const b = first ? d : momentum * buf[i]! + (1 - dampening) * d;
    buf[i] = b;
    p[i] = p[i]! - lr * (nesterov ? d + momentum * buf[i]! : buf[i]!);
    z += p[i]! * 0;
  }
  return z === 0;
}

function allFinite(s: FloatArray): boolean {
  for (let i = 0; i < s.length; i++) if (!Number.isFinite(s[i]!)) return false;
  return true;
}

/** The host-array entries every CPU backend shares (the heavy kernels differ between them). */
export const cpuTensorOps = {
  upload: (data: FloatArray) => data,
  read: (s: FloatArray) => Promise.resolve(s),
  readSync: (s: FloatArray) => s,
  allocateStats: (n: number) => new Float64Array(n),
  fill(out: FloatArray, value: number, offset = 0, n = out.length - offset) {
    out.fill(value, offset, offset + n);
  },
  copy(out: FloatArray, src: FloatArray) {
    out.set(src);
  },
  accumulate(dst: FloatArray, src: FloatArray) {
    for (let i = 0; i < dst.length; i++) dst[i]! += src[i]!;
  },
  unary,
  unaryGrad,
  binary,
  binaryGrad,
  gather: stridedGather,
  scatterAdd(
    dst: FloatArray,
    src: FloatArray,
    shape: readonly number[],
    strides: readonly number[],
    offset: number,
  ) {
    stridedScatter(dst, src, shape, strides, offset, true);
  },
  scatter(
    dst: FloatArray,
    src: FloatArray,
    shape: readonly number[],
    strides: readonly number[],
    offset: number,
  ) {
    stridedScatter(dst, src, shape, strides, offset, false);
  },
  reduceSum,
  repeatRows(out: FloatArray, src: FloatArray, rows: number) {
    for (let r = 0; r < rows; r++) out.set(src, r * src.length);
  },
  softmax,
  softmaxGrad,
  nll(out: FloatArray, logp: FloatArray, labels: Int32Array, c: number) {
    for (let i = 0; i < out.length; i++) out[i] = -logp[i * c + labels[i]!]!;
  },
  nllGrad(gx: FloatArray, g: FloatArray, labels: Int32Array, c: number) {
    gx.fill(0);
    for (let i = 0; i < g.length; i++) gx[i * c + labels[i]!] = -g[i]!;
  },
  batchNormRunningUpdate(
    runningMean: FloatArray | null,
    runningVar: FloatArray | null,
    mean: FloatArray,
    variance: FloatArray,
    momentum: number,
    count: number,
  ) {
    // PyTorch: running stats take the batch mean and the UNBIASED batch variance.
    for (let ch = 0; ch < mean.length; ch++) {
      if (runningMean !== null) runningMean[ch] = (1 - momentum) * runningMean[ch]! + momentum * mean[ch]!;
      if (runningVar !== null)
        runningVar[ch] = (1 - momentum) * runningVar[ch]! + (momentum * variance[ch]! * count) / (count - 1);
    }
  },
  adamStep,
  sgdStep,
  allFinite: (s: FloatArray) => Promise.resolve(allFinite(s)),
} satisfies Partial<KernelBackend<FloatArray>>;
