/**
 * Element-wise kernels: fill, accumulate, unary maps and their gradients, binary maps and their
 * gradients, addRelu, reluMask, repeatRows. Each op is its own pipeline (the op's WGSL snippet is
 * compiled in), with the CPU backend's formulas (packages/kernels/src/cpu/tensorOps.ts).
 */
import type { BinaryOp, UnaryOp } from '@asma/kernels';
import { expectLength, type GpuArray } from '../array.js';
import type { GpuContext } from '../context.js';
import { runEw } from '../ewise.js';

/** WGSL helpers the op snippets use. */
const MATH = `
// Runtime bit patterns: constant NaN and Inf are compile errors in WGSL.
fn nanf() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }
fn inff() -> f32 { var bits = 0x7f800000u; return bitcast<f32>(bits); }
// x ** q as JavaScript's ** for finite x: negative bases need an integer exponent.
fn powf(x: f32, q: f32) -> f32 {
  if (q == 0.0) { return 1.0; }
  if (q == 1.0) { return x; }
  if (q == 2.0) { return x * x; }
  let r = pow(abs(x), q);
  if (x < 0.0) {
    if (fract(q) != 0.0) { return nanf(); }
    return select(r, -r, fract(q * 0.5) != 0.0);
  }
  if (x == 0.0) { return select(0.0, inff(), q < 0.0); }
  return r;
}
// tanh with full relative precision near 0 (a series) and no overflow for large |x|.
fn tanhf(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.25) {
    let z = x * x;
    return x * (1.0 + z * (-1.0 / 3.0 + z * (2.0 / 15.0 + z * (-17.0 / 315.0 + z * (62.0 / 2835.0)))));
  }
  if (a > 20.0) { return sign(x); }
  let e = exp(-2.0 * a);
  return sign(x) * (1.0 - e) / (1.0 + e);
}
fn sigmoidf(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}
// erfc(z) for z >= 0 with a relative error near 1.2e-7 (Numerical Recipes' Chebyshev fit).
fn erfcPos(z: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.5 * z);
  return t * exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
}
// 1 + erf(x / sqrt 2), accurate in relative terms for negative x too.
fn onePlusErf(x: f32) -> f32 {
  let z = abs(x) * 0.70710678118654752;
  let c = erfcPos(z);
  return select(2.0 - c, c, x < 0.0);
}
`;

/** y = op(x) with the op's parameters p0, p1 (WGSL expression in x). */
function unaryExpr(op: UnaryOp): string {
  switch (op) {
    case 'neg':
      return '-x';
    case 'exp':
      return 'exp(x)';
    case 'log':
      return 'log(x)';
    case 'sqrt':
      return 'sqrt(x)';
    case 'square':
      return 'x * x';
    case 'abs':
      return 'abs(x)';
    case 'pow':
      return 'powf(x, p.p0)';
    case 'clamp':
      return 'select(select(x, p.p1, x > p.p1), p.p0, x < p.p0)';
    case 'affine':
      return 'p.p0 * x + p.p1';
    case 'divScalar':
      return 'x / p.p0';
    case 'rdiv':
      return 'p.p0 / x';
    case 'relu':
      return 'select(0.0, x, x > 0.0)';
    case 'leakyRelu':
      return 'select(p.p0 * x, x, x > 0.0)';
    case 'sigmoid':
      return 'sigmoidf(x)';
    case 'tanh':
      return 'tanhf(x)';
    case 'gelu':
      return '0.5 * x * onePlusErf(x)';
  }
}

/** d op / dx given x and y = op(x) (WGSL expression). */
function derivativeExpr(op: UnaryOp): string {
  switch (op) {
    case 'neg':
      return '-1.0';
    case 'exp':
      return 'y';
    case 'log':
      return '1.0 / x';
    case 'sqrt':
      return '0.5 / y';
    case 'square':
      return '2.0 * x';
    case 'abs':
      return 'sign(x)';
    case 'pow':
      return 'p.p0 * powf(x, p.p0 - 1.0)';
    case 'clamp':
      return 'select(0.0, 1.0, x >= p.p0 && x <= p.p1)';
    case 'affine':
      return 'p.p0';
    case 'divScalar':
      return '1.0';
    case 'rdiv':
      return '-y / x';
    case 'relu':
      return 'select(0.0, 1.0, x > 0.0)';
    case 'leakyRelu':
      return 'select(p.p0, 1.0, x > 0.0)';
    case 'sigmoid':
      return 'y * (1.0 - y)';
    case 'tanh':
      return '1.0 - y * y';
    case 'gelu':
      return '0.5 * onePlusErf(x) + x * 0.3989422804014327 * exp(-0.5 * x * x)';
  }
}

const UNARY_OPS: readonly UnaryOp[] = [
  'neg',
  'exp',
  'log',
  'sqrt',
  'square',
  'abs',
  'pow',
  'clamp',
  'affine',
  'divScalar',
  'rdiv',
  'relu',
  'leakyRelu',
  'sigmoid',
  'tanh',
  'gelu',
];
const BINARY_OPS: readonly BinaryOp[] = ['add', 'sub', 'mul', 'div', 'maximum', 'klDiv'];

function checkOp<T extends string>(entry: string, op: T, known: readonly T[]): void {
  if (!known.includes(op))
    throw new Error(`webgpu ${entry}: unknown op '${op}' (expected one of ${known.join(', ')})`);
}

export function unary(ctx: GpuContext, op: UnaryOp, out: GpuArray, x: GpuArray, p0 = 0, p1 = 0): void {
  checkOp('unary', op, UNARY_OPS);
  expectLength('unary', out.length, { x });
  // divScalar: true division (not x * (1/d)), as the CPU does.
  const body = `let x = x_[i]; out[i] = ${unaryExpr(op)};`;
  runEw(
    ctx,
    { key: `unary:${op}`, fields: 'p0: f32, p1: f32', outs: ['out'], ins: ['x_'], helpers: MATH, body },
    [out],
    [x],
    out.length,
    (s) => {
      s.f[1] = p0;
      s.f[2] = p1;
    },
  );
}

export function unaryGrad(
  ctx: GpuContext,
  op: UnaryOp,
  gx: GpuArray,
  g: GpuArray,
  x: GpuArray,
  y: GpuArray,
  p0 = 0,
  p1 = 0,
): void {
  checkOp('unaryGrad', op, UNARY_OPS);
  expectLength('unaryGrad', gx.length, { g, x, y });
  const body =
    op === 'divScalar'
      ? 'gx[i] = g[i] / p.p0;'
      : op === 'affine'
        ? 'gx[i] = p.p0 * g[i];'
        : `let x = x_[i]; let y = y_[i]; gx[i] = g[i] * (${derivativeExpr(op)});`;
  // Bind only what the body reads (WebGPU drops unused bindings from the layout).
  const reads = op === 'divScalar' || op === 'affine' ? [] : [x, y];
  const ins = op === 'divScalar' || op === 'affine' ? ['g'] : ['g', 'x_', 'y_'];
  runEw(
    ctx,
    { key: `unaryGrad:${op}`, fields: 'p0: f32, p1: f32', outs: ['gx'], ins, helpers: MATH, body },
    [gx],
    [g, ...reads],
    gx.length,
    (s) => {
      s.f[1] = p0;
      s.f[2] = p1;
    },
  );
}

function binaryExpr(op: BinaryOp): string {
  switch (op) {
    case 'add':
      return 'x + y';
    case 'sub':
      return 'x - y';
    case 'mul':
      return 'x * y';
    case 'div':
      return 'x / y';
    case 'maximum':
      return 'select(y, x, x >= y)';
    case 'klDiv':
      return 'select(0.0, y * (log(y) - x), y > 0.0)';
  }
}

export function binary(ctx: GpuContext, op: BinaryOp, out: GpuArray, a: GpuArray, b: GpuArray): void {
  checkOp('binary', op, BINARY_OPS);
  expectLength('binary', out.length, { a, b });
  const body = `let x = a[i]; let y = b[i]; out[i] = ${binaryExpr(op)};`;
  runEw(ctx, { key: `binary:${op}`, outs: ['out'], ins: ['a', 'b'], body }, [out], [a, b], out.length);
}

/** The gradient to operand `which`: a WGSL expression and the operands it reads (of g, x, y, o). */
function binaryGradExpr(op: BinaryOp, which: 0 | 1): [string, ('g' | 'x' | 'y' | 'o')[]] {
  switch (op) {
    case 'add':
      return ['g[i]', ['g']];
    case 'sub':
      return which === 0 ? ['g[i]', ['g']] : ['-g[i]', ['g']];
    case 'mul':
      return which === 0 ? ['g[i] * y[i]', ['g', 'y']] : ['g[i] * x[i]', ['g', 'x']];
    case 'div':
      return which === 0 ? ['g[i] / y[i]', ['g', 'y']] : ['(-g[i] * o[i]) / y[i]', ['g', 'y', 'o']];
    case 'maximum':
      return which === 0
        ? ['select(0.0, g[i], x[i] >= y[i])', ['g', 'x', 'y']]
        : ['select(g[i], 0.0, x[i] >= y[i])', ['g', 'x', 'y']];
    case 'klDiv':
      return which === 0
        ? ['-g[i] * y[i]', ['g', 'y']]
        : ['select(0.0, g[i] * (log(y[i]) + 1.0 - x[i]), y[i] > 0.0)', ['g', 'x', 'y']];
  }
}

export function binaryGrad(
  ctx: GpuContext,
  op: BinaryOp,
  which: 0 | 1,
  gx: GpuArray,
  g: GpuArray,
  a: GpuArray,
  b: GpuArray,
  out: GpuArray,
): void {
  checkOp('binaryGrad', op, BINARY_OPS);
  if (which !== 0 && which !== 1)
    throw new RangeError(`webgpu binaryGrad: which must be 0 or 1, got ${which}`);
  expectLength('binaryGrad', gx.length, { g, a, b, out });
  const [expr, reads] = binaryGradExpr(op, which);
  const arrays = { g, x: a, y: b, o: out };
  runEw(
    ctx,
    { key: `binaryGrad:${op}:${which}`, outs: ['gx'], ins: reads, body: `gx[i] = ${expr};` },
    [gx],
    reads.map((r) => arrays[r]),
    gx.length,
  );
}

export function fill(
  ctx: GpuContext,
  out: GpuArray,
  value: number,
  offset = 0,
  n = out.length - offset,
): void {
  if (!(Number.isInteger(offset) && Number.isInteger(n) && offset >= 0 && n >= 0 && offset + n <= out.length))
    throw new RangeError(
      `webgpu fill: the range [${offset}, ${offset + n}) must lie within the array's ${out.length} elements`,
    );
  runEw(
    ctx,
    {
      key: 'fill',
      fields: 'offset: u32, value: f32',
      outs: ['out'],
      ins: [],
      body: 'out[p.offset + i] = p.value;',
    },
    [out],
    [],
    n,
    (s) => {
      s.u[1] = offset;
      s.f[2] = value;
    },
  );
}

export function accumulate(ctx: GpuContext, dst: GpuArray, src: GpuArray): void {
  expectLength('accumulate', dst.length, { src });
  runEw(
    ctx,
    { key: 'accumulate', outs: ['dst'], ins: ['src'], body: 'dst[i] = dst[i] + src[i];' },
    [dst],
    [src],
    dst.length,
  );
}

/** relu(a + b); NaN and -0 give +0 as on the CPU (x > 0 is false for them). */
export function addRelu(ctx: GpuContext, out: GpuArray, a: GpuArray, b: GpuArray): void {
  expectLength('addRelu', out.length, { a, b });
  runEw(
    ctx,
    {
      key: 'addRelu',
      outs: ['out'],
      ins: ['a', 'b'],
      body: 'let s = a[i] + b[i]; out[i] = select(0.0, s, s > 0.0);',
    },
    [out],
    [a, b],
    out.length,
  );
}

export function reluMask(ctx: GpuContext, out: GpuArray, src: GpuArray, x: GpuArray): void {
  expectLength('reluMask', out.length, { src, x });
  runEw(
    ctx,
    { key: 'reluMask', outs: ['out'], ins: ['src', 'x'], body: 'out[i] = select(0.0, src[i], x[i] > 0.0);' },
    [out],
    [src, x],
    out.length,
  );
}

export function repeatRows(ctx: GpuContext, out: GpuArray, src: GpuArray, rows: number): void {
  if (out.length !== rows * src.length)
    throw new RangeError(
      `webgpu repeatRows: out must have rows * src.length = ${rows * src.length} elements, got ${out.length}`,
    );
  if (src.length === 0) return;
  runEw(
    ctx,
    {
      key: 'repeatRows',
      fields: 'cols: u32',
      outs: ['out'],
      ins: ['src'],
      body: 'out[i] = src[i % p.cols];',
    },
    [out],
    [src],
    out.length,
    (s) => {
      s.u[1] = src.length;
    },
  );
}
