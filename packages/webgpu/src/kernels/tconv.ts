/**
 * The temporal convolution (kt x 1 kernel, stride, zero padding over T) and its two gradients as
 * implicit GEMMs on the tiled generator: the im2col matrix is gathered tile by tile, never stored.
 *   forward:        out[n] (Cout, Tout V) = W (Cout, Cin kt) @ cols(x[n]) (Cin kt, Tout V) + bias
 *   backward input: dx[n] (Cin, T V) = W^T (Cin, Cout kt) @ rows(dy[n]) (Cout kt, T V)
 *   backward weight: dW (Cout, Cin kt) = sum over (n, to, v) of dy (Cout, .) x cols(x) (., Cin kt), split along K
 */
import { type TconvArgs, tconvOutLength } from '@asma/kernels';
import { GpuArray } from '../array.js';
import type { GpuContext } from '../context.js';
import { bindAliased } from '../ewise.js';
import { reduceSplits, runGemm, splitsFor, TILE_64 } from './gemm.js';
import { reduceSum } from './strided.js';

const FIELDS = ['cin', 'cout', 't', 'v', 'kt', 'stride', 'pad', 'tout'];

function geometry(entry: string, a: TconvArgs): number[] {
  for (const k of ['n', 'cin', 'cout', 't', 'v', 'kt', 'stride', 'pad'] as const)
    if (!(Number.isInteger(a[k]) && a[k] >= (k === 'kt' || k === 'stride' ? 1 : 0)))
      throw new RangeError(
        `webgpu ${entry}: ${k} must be a ${k === 'kt' || k === 'stride' ? 'positive' : 'non-negative'} integer, got ${a[k]}`,
      );
  const tout = tconvOutLength(a);
  if (tout < 1)
    throw new RangeError(`webgpu ${entry}: t = ${a.t}, kt = ${a.kt}, pad = ${a.pad} leave no output frame`);
  return [a.cin, a.cout, a.t, a.v, a.kt, a.stride, a.pad, tout];
}

function expect(entry: string, name: string, arr: GpuArray | null, n: number): void {
  if (arr !== null && arr.length !== n)
    throw new RangeError(`webgpu ${entry}: ${name} must have ${n} elements, got ${arr.length}`);
}

/** x[b, ci, to * stride + k - pad, v] for column index (to, v) and row (ci, k); 0 in the padding. */
const X_COLS = `
  let ci = k / p.kt;
  let tap = k % p.kt;
  let to = n / p.v;
  let t = i32(to * p.stride + tap) - i32(p.pad);
  if (t < 0 || t >= i32(p.t)) { return 0.0; }
  return x[((b * p.cin + ci) * p.t + u32(t)) * p.v + n % p.v];`;

export function tconvForward(
  ctx: GpuContext,
  out: GpuArray,
  x: GpuArray,
  w: GpuArray,
  bias: GpuArray | null,
  a: TconvArgs,
): void {
  const values = geometry('tconvForward', a);
  const tout = values[7]!;
  expect('tconvForward', 'x', x, a.n * a.cin * a.t * a.v);
  expect('tconvForward', 'w', w, a.cout * a.cin * a.kt);
  expect('tconvForward', 'bias', bias, a.cout);
  expect('tconvForward', 'out', out, a.n * a.cout * tout * a.v);
  // Without a bias a placeholder is bound and skipped (one pipeline: fewer shader compilations).
  const bound = bindAliased(ctx, [out], [x, w, bias ?? ctx.placeholder]);
  runGemm(
    ctx,
    {
      key: 'tconvForward',
      tile: TILE_64,
      fields: [...FIELDS, 'hasBias'],
      bindings: `@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> w: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;`,
      loadA: 'return w[m * p.K + k];',
      loadB: X_COLS,
      store: `
  var o = v;
  if (p.hasBias != 0u) { o += bias[m]; }
  out[(b * p.cout + m) * p.N + n] = o;`,
      aAlongK: true,
      bAlongN: true,
    },
    {
      m: a.cout,
      n: tout * a.v,
      k: a.cin * a.kt,
      batch: a.n,
      splits: 1,
      values: [...values, bias ? 1 : 0],
      arrays: bound.arrays,
    },
  );
  bound.done();
}

export function tconvBackwardInput(
  ctx: GpuContext,
  dx: GpuArray,
  dy: GpuArray,
  w: GpuArray,
  a: TconvArgs,
): void {
  const values = geometry('tconvBackwardInput', a);
  const tout = values[7]!;
  expect('tconvBackwardInput', 'dx', dx, a.n * a.cin * a.t * a.v);
  expect('tconvBackwardInput', 'w', w, a.cout * a.cin * a.kt);
  expect('tconvBackwardInput', 'dy', dy, a.n * a.cout * tout * a.v);
  const bound = bindAliased(ctx, [dx], [dy, w]);
  runGemm(
    ctx,
    {
      key: 'tconvBackwardInput',
      tile: TILE_64,
      fields: FIELDS,
      bindings: `@group(0) @binding(1) var<storage, read_write> dx: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read> w: array<f32>;`,
      // A[ci, (co, tap)] = w[co, ci, tap].
      loadA: 'return w[((k / p.kt) * p.cin + m) * p.kt + k % p.kt];',
      // B[(co, tap), (t, v)] = dy[b, co, to, v] where to * stride = t + pad - tap.
      loadB: `
  let tap = k % p.kt;
  let s = i32(n / p.v) + i32(p.pad) - i32(tap);
  if (s < 0 || u32(s) % p.stride != 0u) { return 0.0; }
  let to = u32(s) / p.stride;
  if (to >= p.tout) { return 0.0; }
  return dy[((b * p.cout + k / p.kt) * p.tout + to) * p.v + n % p.v];`,
      store: 'dx[(b * p.cin + m) * p.N + n] = v;',
      aAlongK: true,
      bAlongN: true,
    },
    { m: a.cin, n: a.t * a.v, k: a.cout * a.kt, batch: a.n, splits: 1, values, arrays: bound.arrays },
  );
  bound.done();
}

export function tconvBackwardWeight(
  ctx: GpuContext,
  dw: GpuArray,
  dbias: GpuArray | null,
  dy: GpuArray,
  x: GpuArray,
  a: TconvArgs,
): void {
  const values = geometry('tconvBackwardWeight', a);
  const tout = values[7]!;
  expect('tconvBackwardWeight', 'dw', dw, a.cout * a.cin * a.kt);
  expect('tconvBackwardWeight', 'dbias', dbias, a.cout);
  expect('tconvBackwardWeight', 'dy', dy, a.n * a.cout * tout * a.v);
  expect('tconvBackwardWeight', 'x', x, a.n * a.cin * a.t * a.v);
  const m = a.cout;
  const n = a.cin * a.kt;
  const k = a.n * tout * a.v;
  const splits = splitsFor(m, n, k, TILE_64);
  const partial = ctx.pool.take(splits * m * n * 4).buffer;
  const bound = bindAliased(ctx, [], [dy, x]);
  runGemm(
    ctx,
    {
      key: 'tconvBackwardWeight',
      tile: TILE_64,
      fields: FIELDS,
      bindings: `@group(0) @binding(1) var<storage, read_write> partial: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;`,
      // A[co, (b', to, v)] = dy[b', co, to, v]; B[(b', to, v), (ci, tap)] = x[b', ci, to * stride + tap - pad, v].
      loadA: `
  let tv = p.tout * p.v;
  return dy[((k / tv) * p.cout + m) * tv + k % tv];`,
      loadB: `
  let tv = p.tout * p.v;
  let bb = k / tv;
  let r = k % tv;
  let t = i32((r / p.v) * p.stride + n % p.kt) - i32(p.pad);
  if (t < 0 || t >= i32(p.t)) { return 0.0; }
  return x[((bb * p.cin + n / p.kt) * p.t + u32(t)) * p.v + r % p.v];`,
      store: 'partial[(split * p.M + m) * p.N + n] = v;',
      aAlongK: true,
      bAlongN: false,
    },
    { m, n, k, batch: 1, splits, values, arrays: [partial, ...bound.arrays] },
  );
  bound.done();
  const part = new GpuArray(partial, splits * m * n, dw.owner);
  reduceSplits(ctx, dw, part, splits);
  ctx.pool.give(partial);
  if (dbias) reduceSum(ctx, dbias, dy, [a.n, a.cout, tout * a.v], [0, 1, 0]);
}
