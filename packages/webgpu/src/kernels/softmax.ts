/** Softmax / log-softmax along the middle axis of (outer, n, inner), one thread per lane, and the NLL loss. */
import type { SoftmaxArgs } from '@asma/kernels';
import { expectLength, type GpuArray } from '../array.js';
import type { GpuContext } from '../context.js';
import { runEw } from '../ewise.js';

const LANE = `
  let o = i / p.inner;
  let base = o * p.len * p.inner + (i % p.inner);`;

function check(entry: string, a: SoftmaxArgs, arrays: Record<string, GpuArray>): number {
  const total = a.outer * a.n * a.inner;
  for (const [k, v] of Object.entries(a))
    if (k !== 'log' && !(Number.isInteger(v) && (v as number) >= 0))
      throw new RangeError(`webgpu ${entry}: ${k} must be a non-negative integer, got ${v}`);
  expectLength(entry, total, arrays);
  return a.outer * a.inner;
}

export function softmax(ctx: GpuContext, out: GpuArray, x: GpuArray, a: SoftmaxArgs): void {
  const lanes = check('softmax', a, { out, x });
  const body = a.log
    ? `${LANE}
  var mx = -3.4028234663852886e38;
  for (var j = 0u; j < p.len; j++) { mx = max(mx, x[base + j * p.inner]); }
  var z = 0.0;
  for (var j = 0u; j < p.len; j++) { z += exp(x[base + j * p.inner] - mx); }
  let lse = mx + log(z);
  for (var j = 0u; j < p.len; j++) { out[base + j * p.inner] = x[base + j * p.inner] - lse; }`
    : `${LANE}
  var mx = -3.4028234663852886e38;
  for (var j = 0u; j < p.len; j++) { mx = max(mx, x[base + j * p.inner]); }
  var z = 0.0;
  for (var j = 0u; j < p.len; j++) {
    let e = exp(x[base + j * p.inner] - mx);
    out[base + j * p.inner] = e;
    z += e;
  }
  for (var j = 0u; j < p.len; j++) { out[base + j * p.inner] = out[base + j * p.inner] / z; }`;
  runEw(
    ctx,
    { key: `softmax:${a.log}`, fields: 'len: u32, inner: u32', outs: ['out'], ins: ['x'], body },
    [out],
    [x],
    lanes,
    (s) => {
      s.u[1] = a.n;
      s.u[2] = a.inner;
    },
  );
}

export function softmaxGrad(ctx: GpuContext, gx: GpuArray, g: GpuArray, y: GpuArray, a: SoftmaxArgs): void {
  const lanes = check('softmaxGrad', a, { gx, g, y });
  const body = a.log
    ? `${LANE}
  var gs = 0.0;
  for (var j = 0u; j < p.len; j++) { gs += g[base + j * p.inner]; }
  for (var j = 0u; j < p.len; j++) { let q = base + j * p.inner; gx[q] = g[q] - exp(y[q]) * gs; }`
    : `${LANE}
  var dot = 0.0;
  for (var j = 0u; j < p.len; j++) { let q = base + j * p.inner; dot += g[q] * y[q]; }
  for (var j = 0u; j < p.len; j++) { let q = base + j * p.inner; gx[q] = y[q] * (g[q] - dot); }`;
  runEw(
    ctx,
    { key: `softmaxGrad:${a.log}`, fields: 'len: u32, inner: u32', outs: ['gx'], ins: ['g', 'y'], body },
    [gx],
    [g, y],
    lanes,
    (s) => {
      s.u[1] = a.n;
      s.u[2] = a.inner;
    },
  );
}

function checkLabels(entry: string, labels: Int32Array, rows: number, c: number): void {
  if (labels.length !== rows)
    throw new RangeError(`webgpu ${entry}: labels must have ${rows} entries, got ${labels.length}`);
  for (let i = 0; i < labels.length; i++)
    if (!(labels[i]! >= 0 && labels[i]! < c))
      throw new RangeError(`webgpu ${entry}: labels[${i}] = ${labels[i]} lies outside [0, ${c})`);
}

/** out (n) = -logp[i, labels[i]]; the labels travel with the batch in a transient buffer. */
export function nll(ctx: GpuContext, out: GpuArray, logp: GpuArray, labels: Int32Array, c: number): void {
  checkLabels('nll', labels, out.length, c);
  expectLength('nll', out.length * c, { logp });
  if (out.length === 0) return;
  const lab = ctx.transientBuffer(labels);
  const code = {
    key: 'nll',
    fields: 'c: u32',
    outs: ['out'],
    ins: ['logp'],
    helpers: LABELS,
    body: 'out[i] = -logp[i * p.c + u32(labels[i])];',
  };
  runEwWithLabels(ctx, code, [out], [logp], lab, out.length, c);
}

export function nllGrad(ctx: GpuContext, gx: GpuArray, g: GpuArray, labels: Int32Array, c: number): void {
  checkLabels('nllGrad', labels, g.length, c);
  expectLength('nllGrad', g.length * c, { gx });
  if (gx.length === 0) return;
  const lab = ctx.transientBuffer(labels);
  const body = 'let row = i / p.c; gx[i] = select(0.0, -g[row], i % p.c == u32(labels[row]));';
  runEwWithLabels(
    ctx,
    { key: 'nllGrad', fields: 'c: u32', outs: ['gx'], ins: ['g'], helpers: LABELS, body },
    [gx],
    [g],
    lab,
    gx.length,
    c,
  );
}

/** The labels are the binding after the float arrays (declared by the helpers below). */
const LABELS = '@group(0) @binding(3) var<storage, read> labels: array<i32>;';

function runEwWithLabels(
  ctx: GpuContext,
  spec: Parameters<typeof runEw>[1],
  outs: GpuArray[],
  ins: GpuArray[],
  labels: GPUBuffer,
  n: number,
  c: number,
): void {
  runEw(ctx, spec, outs, [...ins, labels], n, (s) => {
    s.u[1] = c;
  });
}
