/** Optimiser steps in place on the device: torch.optim.Adam / AdamW and SGD, the CPU backend's arithmetic. */
import type { AdamArgs, SgdArgs } from '@asma/kernels';
import { expectLength, type GpuArray } from '../array.js';
import type { GpuContext } from '../context.js';
import { runEw } from '../ewise.js';

/** The steps return undefined: whether the values stayed finite would need a readback (`allFinite` does one). */
export function adamStep(
  ctx: GpuContext,
  p: GpuArray,
  g: GpuArray,
  m: GpuArray,
  v: GpuArray,
  h: AdamArgs,
): undefined {
  expectLength('adamStep', p.length, { g, m, v });
  const body = `
  var pi = p_[i];
  if (p.decay != 1.0) { pi = pi * p.decay; }
  let gi = g[i] + p.l2 * pi;
  let mi = p.b1 * m[i] + p.c1 * gi;
  let vi = p.b2 * v[i] + p.c2 * gi * gi;
  m[i] = mi;
  v[i] = vi;
  p_[i] = pi - (p.stepSize * mi) / (sqrt(vi) / p.bc2Sqrt + p.eps);`;
  runEw(
    ctx,
    {
      key: 'adamStep',
      fields:
        'b1: f32, c1: f32, b2: f32, c2: f32, eps: f32, l2: f32, stepSize: f32, bc2Sqrt: f32, decay: f32',
      outs: ['p_', 'm', 'v'],
      ins: ['g'],
      body,
    },
    [p, m, v],
    [g],
    p.length,
    (s) => {
      s.f.set([h.b1, 1 - h.b1, h.b2, 1 - h.b2, h.eps, h.l2, h.stepSize, h.bc2Sqrt, h.decay], 1);
    },
  );
}

export function sgdStep(
  ctx: GpuContext,
  p: GpuArray,
  g: GpuArray,
  buf: GpuArray | null,
  h: SgdArgs,
): undefined {
  expectLength('sgdStep', p.length, { g, buf });
  const fields = 'lr: f32, momentum: f32, damp1: f32, wd: f32, nesterov: u32, first: u32';
  const params = (s: { f: Float32Array; u: Uint32Array }) => {
    s.f.set([h.lr, h.momentum, 1 - h.dampening, h.weightDecay], 1);
    s.u[5] = h.nesterov ? 1 : 0;
    s.u[6] = h.first ? 1 : 0;
  };
  if (buf === null) {
    runEw(
      ctx,
      {
        key: 'sgdStep',
        fields,
        outs: ['p_'],
        ins: ['g'],
        body: 'p_[i] = p_[i] - p.lr * (g[i] + p.wd * p_[i]);',
      },
      [p],
      [g],
      p.length,
      params,
    );
    return;
  }
  const body = `
  let d = g[i] + p.wd * p_[i];
  var b = d;
  if (p.first == 0u) { b = p.momentum * buf[i] + p.damp1 * d; }
  buf[i] = b;
  p_[i] = p_[i] - p.lr * select(b, d + p.momentum * b, p.nesterov != 0u);`;
  runEw(
    ctx,
    { key: 'sgdStep:momentum', fields, outs: ['p_', 'buf'], ins: ['g'], body },
    [p, buf],
    [g],
    p.length,
    params,
  );
}
