/**
 * Batch norm over (N, C, inner) data, as the CPU's batchNormForwardInto / batchNormBackwardInto
 * (packages/kernels/src/cpu/elementwise/ops.ts). Two dispatches each: a per-channel pass (one
 * workgroup per channel: two-pass mean and biased variance, or the gradient sums, reduced in
 * workgroup memory) that also writes each channel's affine coefficients to a scratch buffer, then an
 * element-wise pass that applies them. The statistics stay on the device.
 */
import type { BatchNormBackwardArgs, BatchNormForwardArgs } from '@asma/kernels';
import { GpuArray } from '../array.js';
import { ENTRY_BUILTINS, GpuContext, LINEAR_GROUP } from '../context.js';
import { bindAliased, runEw } from '../ewise.js';

const STATS_PARAMS = `
struct P { n: u32, c: u32, inner: u32, c0: u32, c1: u32, training: u32, eps: f32 }
@group(0) @binding(0) var<uniform> p: P;
var<workgroup> red: array<f32, 256>;
// Element e of channel ch: run e / inner, offset e % inner.
fn at(ch: u32, e: u32) -> u32 { return ((e / p.inner) * p.c + ch) * p.inner + e % p.inner; }
fn workgroupSum(li: u32, v: f32) -> f32 {
  red[li] = v;
  workgroupBarrier();
  for (var half = 128u; half > 0u; half = half / 2u) {
    if (li < half) { red[li] += red[li + half]; }
    workgroupBarrier();
  }
  let s = red[0];
  workgroupBarrier();
  return s;
}`;

function checkRuns(
  entry: string,
  runs: { n: number; c: number; inner: number },
  channels?: readonly [number, number],
): [number, number] {
  for (const k of ['n', 'c', 'inner'] as const)
    if (!(Number.isInteger(runs[k]) && runs[k] >= 0))
      throw new RangeError(`webgpu ${entry}: runs.${k} must be a non-negative integer, got ${runs[k]}`);
  const [c0, c1] = channels ?? [0, runs.c];
  if (!(Number.isInteger(c0) && Number.isInteger(c1) && c0 >= 0 && c0 <= c1 && c1 <= runs.c))
    throw new RangeError(`webgpu ${entry}: channels [${c0}, ${c1}) must lie within [0, ${runs.c}]`);
  return [c0, c1];
}

function expect(entry: string, arrays: Record<string, [GpuArray | null, number]>): void {
  for (const [name, [arr, n]] of Object.entries(arrays))
    if (arr !== null && arr.length !== n)
      throw new RangeError(`webgpu ${entry}: ${name} must have ${n} elements, got ${arr.length}`);
}

export function batchNormForward(ctx: GpuContext, a: BatchNormForwardArgs<GpuArray>): void {
  const { runs, weight, bias } = a;
  const [c0, c1] = checkRuns('batchNormForward', runs, a.channels);
  const total = runs.n * runs.c * runs.inner;
  expect('batchNormForward', {
    x: [a.x, total],
    out: [a.out, total],
    mean: [a.mean, runs.c],
    variance: [a.variance, runs.c],
    rstd: [a.rstd, runs.c],
    weight: [weight, runs.c],
    bias: [bias, runs.c],
  });
  if (c1 === c0) return;
  const key = `bnStats:${weight !== null}`;
  const code = `${STATS_PARAMS}
@group(0) @binding(1) var<storage, read_write> mean: array<f32>;
@group(0) @binding(2) var<storage, read_write> variance: array<f32>;
@group(0) @binding(3) var<storage, read_write> rstd: array<f32>;
@group(0) @binding(4) var<storage, read_write> coef: array<f32>;
@group(0) @binding(5) var<storage, read> x: array<f32>;
${weight ? '@group(0) @binding(6) var<storage, read> weight: array<f32>;' : ''}
@compute @workgroup_size(256)
fn main(${ENTRY_BUILTINS}) {
  let ch = p.c0 + ${LINEAR_GROUP};
  if (ch >= p.c1) { return; }
  let count = p.n * p.inner;
  if (p.training != 0u) {
    var s = 0.0;
    for (var e = li; e < count; e += 256u) { s += x[at(ch, e)]; }
    let m = workgroupSum(li, s) / f32(count);
    var q = 0.0;
    for (var e = li; e < count; e += 256u) { let d = x[at(ch, e)] - m; q += d * d; }
    let va = workgroupSum(li, q) / f32(count);
    if (li == 0u) { mean[ch] = m; variance[ch] = va; }
    if (li == 0u) { rstd[ch] = 1.0 / sqrt(va + p.eps); }
  } else if (li == 0u) {
    rstd[ch] = 1.0 / sqrt(variance[ch] + p.eps);
  }
  if (li == 0u) {
    let r = 1.0 / sqrt(variance[ch] + p.eps);
    coef[2u * ch] = mean[ch];
    coef[2u * ch + 1u] = r${weight ? ' * weight[ch]' : ''};
  }
}`;
  const coef = new GpuArray(ctx.pool.take(Math.max(1, 2 * runs.c) * 4).buffer, 2 * runs.c, a.out.owner);
  const pipeline = ctx.pipeline(key, () => code);
  const { slot, offset } = ctx.slot();
  slot.u.set([runs.n, runs.c, runs.inner, c0, c1, a.training ? 1 : 0]);
  slot.f[6] = a.eps;
  const ins = [a.x, ...(weight ? [weight] : [])];
  const b = bindAliased(ctx, [a.mean, a.variance, a.rstd, coef], ins);
  ctx.dispatch(pipeline, offset, b.arrays, GpuContext.groups(c1 - c0));
  b.done();
  // out = (x - mean) * (rstd * weight) + bias [then relu], on the channels [c0, c1).
  const shift = bias ? 'bias[ch]' : '0.0';
  const body = `
  let ch = (i / p.inner) % p.c;
  if (ch < p.c0 || ch >= p.c1) { return; }
  var o = (x[i] - coef[2u * ch]) * coef[2u * ch + 1u] + ${shift};
  ${a.relu ? 'o = select(0.0, o, o > 0.0);' : ''}
  out[i] = o;`;
  runEw(
    ctx,
    {
      key: `bnApply:${bias !== null}:${a.relu}`,
      fields: 'inner: u32, c: u32, c0: u32, c1: u32',
      outs: ['out'],
      ins: bias ? ['x', 'coef', 'bias'] : ['x', 'coef'],
      body,
    },
    [a.out],
    bias ? [a.x, coef, bias] : [a.x, coef],
    total,
    (s) => s.u.set([runs.inner, runs.c, c0, c1], 1),
  );
  ctx.pool.give(coef.buffer);
}

export function batchNormBackward(ctx: GpuContext, a: BatchNormBackwardArgs<GpuArray>): void {
  const { runs, weight, reluOut, gx } = a;
  const [c0, c1] = checkRuns('batchNormBackward', runs, a.channels);
  const total = runs.n * runs.c * runs.inner;
  expect('batchNormBackward', {
    g: [a.g, total],
    x: [a.x, total],
    reluOut: [reluOut, total],
    gx: [gx, total],
    mean: [a.mean, runs.c],
    rstd: [a.rstd, runs.c],
    weight: [weight, runs.c],
    sumG: [a.sumG, runs.c],
    sumGXhat: [a.sumGXhat, runs.c],
  });
  if (c1 === c0) return;
  const gm = reluOut ? 'select(0.0, g[q], reluOut[q] > 0.0)' : 'g[q]';
  const code = `${STATS_PARAMS}
@group(0) @binding(1) var<storage, read_write> coef: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<storage, read> mean: array<f32>;
@group(0) @binding(5) var<storage, read> rstd: array<f32>;
${weight ? '@group(0) @binding(6) var<storage, read> weight: array<f32>;' : ''}
${reluOut ? `@group(0) @binding(${weight ? 7 : 6}) var<storage, read> reluOut: array<f32>;` : ''}
@compute @workgroup_size(256)
fn main(${ENTRY_BUILTINS}) {
  let ch = p.c0 + ${LINEAR_GROUP};
  if (ch >= p.c1) { return; }
  let count = p.n * p.inner;
  let m = mean[ch];
  var s = 0.0;
  var h = 0.0;
  for (var e = li; e < count; e += 256u) {
    let q = at(ch, e);
    let gq = ${gm};
    s += gq;
    h += gq * (x[q] - m);
  }
  let sg = workgroupSum(li, s);
  let sgxc = workgroupSum(li, h);
  if (li == 0u) {
    let r = rstd[ch];
    let sgx = sgxc * r;
    let wr = ${weight ? 'weight[ch]' : '1.0'} * r;
    coef[6u * ch] = wr;
    coef[6u * ch + 1u] = select(0.0, sg / f32(count), p.training != 0u);
    coef[6u * ch + 2u] = m;
    coef[6u * ch + 3u] = select(0.0, (r * sgx) / f32(count), p.training != 0u);
    coef[6u * ch + 4u] = sg;
    coef[6u * ch + 5u] = sgx;
  }
}`;
  // Per channel: wr, b, m, k (the input gradient's map), sum g, sum g xhat.
  const coef = new GpuArray(ctx.pool.take(Math.max(1, 6 * runs.c) * 4).buffer, 6 * runs.c, a.g.owner);
  const pipeline = ctx.pipeline(`bnGradStats:${weight !== null}:${reluOut !== null}`, () => code);
  const { slot, offset } = ctx.slot();
  slot.u.set([runs.n, runs.c, runs.inner, c0, c1, a.training ? 1 : 0]);
  const ins = [a.g, a.x, a.mean, a.rstd, ...(weight ? [weight] : []), ...(reluOut ? [reluOut] : [])];
  const b = bindAliased(ctx, [coef], ins);
  ctx.dispatch(pipeline, offset, b.arrays, GpuContext.groups(c1 - c0));
  b.done();
  runEw(
    ctx,
    {
      key: 'bnGradSums',
      fields: 'c0: u32',
      outs: ['sumG', 'sumGXhat'],
      ins: ['coef'],
      body: 'let ch = p.c0 + i; sumG[ch] = coef[6u * ch + 4u]; sumGXhat[ch] = coef[6u * ch + 5u];',
    },
    [a.sumG, a.sumGXhat],
    [coef],
    c1 - c0,
    (s) => {
      s.u[1] = c0;
    },
  );
  if (gx) {
    // Training: gx = wr (g - mean(g) - (x - m) k); eval: wr g (b and k are 0 then).
    const body = `
  let ch = (i / p.inner) % p.c;
  if (ch < p.c0 || ch >= p.c1) { return; }
  let q = i;
  let gq = ${gm};
  gx[i] = coef[6u * ch] * (gq - coef[6u * ch + 1u] - (x[i] - coef[6u * ch + 2u]) * coef[6u * ch + 3u]);`;
    runEw(
      ctx,
      {
        key: `bnGradApply:${reluOut !== null}`,
        fields: 'inner: u32, c: u32, c0: u32, c1: u32',
        outs: ['gx'],
        ins: reluOut ? ['g', 'x', 'coef', 'reluOut'] : ['g', 'x', 'coef'],
        body,
      },
      [gx],
      reluOut ? [a.g, a.x, coef, reluOut] : [a.g, a.x, coef],
      total,
      (s) => s.u.set([runs.inner, runs.c, c0, c1], 1),
    );
  }
  ctx.pool.give(coef.buffer);
}

/** running = (1 - momentum) running + momentum batch, the variance made unbiased (count / (count - 1)). */
export function batchNormRunningUpdate(
  ctx: GpuContext,
  runningMean: GpuArray | null,
  runningVar: GpuArray | null,
  mean: GpuArray,
  variance: GpuArray,
  momentum: number,
  count: number,
): void {
  const c = mean.length;
  if (variance.length !== c)
    throw new RangeError(
      `webgpu batchNormRunningUpdate: variance must have ${c} elements, got ${variance.length}`,
    );
  const params = (s: { f: Float32Array }) =>
    s.f.set([1 - momentum, momentum, (momentum * count) / (count - 1)], 1);
  const fields = 'keep: f32, mom: f32, momUnbiased: f32';
  if (runningMean) {
    if (runningMean.length !== c)
      throw new RangeError(
        `webgpu batchNormRunningUpdate: runningMean must have ${c} elements, got ${runningMean.length}`,
      );
    runEw(
      ctx,
      {
        key: 'bnRunMean',
        fields,
        outs: ['run'],
        ins: ['batch'],
        body: 'run[i] = p.keep * run[i] + p.mom * batch[i];',
      },
      [runningMean],
      [mean],
      c,
      params,
    );
  }
  if (runningVar) {
    if (runningVar.length !== c)
      throw new RangeError(
        `webgpu batchNormRunningUpdate: runningVar must have ${c} elements, got ${runningVar.length}`,
      );
    runEw(
      ctx,
      {
        key: 'bnRunVar',
        fields,
        outs: ['run'],
        ins: ['batch'],
        body: 'run[i] = p.keep * run[i] + p.momUnbiased * batch[i];',
      },
      [runningVar],
      [variance],
      c,
      params,
    );
  }
}
