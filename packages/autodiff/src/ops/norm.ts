/** Normalisation layers as functions: batchNorm (PyTorch running-stat semantics), layerNorm, and dropout. */
import type { Rng } from '@asma/kernels';
import { record } from '../grad/tape.js';
import { allocate, assertSameDtype, Tensor } from '../tensor.js';
import { reluMask } from './activation.js';
import {
  type ChannelRuns,
  channelAffine,
  channelGradInput,
  channelGradSums,
  channelRelu,
  channelSum,
  channelSumSq,
} from './batchnorm-loops.js';
import { add, div, mul, sqrt, sub } from './elementwise.js';
import { ArgumentError, fmtShape, ShapeError } from './errors.js';
import { mean, variance } from './reduce.js';

export interface BatchNormOptions {
  training?: boolean;
  /** Weight of the new batch statistic in the running average (PyTorch's momentum), default 0.1. */
  momentum?: number;
  eps?: number;
  /**
   * Apply ReLU to the output in the same op (ST-GCN's BN -> ReLU): bit-identical to relu(batchNorm(...)),
   * with one array fewer and the ReLU pass done while each channel is still in cache.
   */
  relu?: boolean;
}

/**
 * Batch normalisation over axis 1 of (N, C), (N, C, L) or (N, C, H, W) inputs, like torch.nn.functional.batch_norm.
 * Training mode normalises with the biased batch variance and updates runningMean/runningVar in place
 * (running_var takes the UNBIASED batch variance); eval mode uses the running statistics.
 * weight/bias (C) may be null (affine = false); runningMean/runningVar may be null (track_running_stats = false).
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  opts: BatchNormOptions = {},
): Tensor {
  const training = opts.training ?? true;
  const momentum = opts.momentum ?? 0.1;
  const eps = opts.eps ?? 1e-5;
  if (x.ndim < 2 || x.ndim > 4)
    throw new ShapeError(
      `batchNorm: input must be (N, C), (N, C, L) or (N, C, H, W), got ${fmtShape(x.shape)}`,
    );
  const c = x.shape[1]!;
  for (const [name, t] of [
    ['runningMean', runningMean],
    ['runningVar', runningVar],
    ['weight', weight],
    ['bias', bias],
  ] as const) {
    if (t === null) continue;
    assertSameDtype('batchNorm', x, t);
    if (t.ndim !== 1 || t.shape[0] !== c)
      throw new ShapeError(
        `batchNorm: ${name} must have shape [${c}] for input ${fmtShape(x.shape)}, got ${fmtShape(t.shape)}`,
      );
  }
  const n = x.shape[0]!;
  const inner = x.size / Math.max(n * c, 1);
  const count = n * inner;
  if (training && count <= 1)
    throw new ShapeError(
      `batchNorm: expected more than 1 value per channel when training, got input ${fmtShape(x.shape)}`,
    );
  if (!training && (runningMean === null || runningVar === null))
    throw new ArgumentError('batchNorm: eval mode needs runningMean and runningVar');
  // Fused per-channel statistics, normalisation and affine map, with the closed-form backward.
  const xd = x.data;
  const runs: ChannelRuns = { n, c, inner };
  const mu = new Float64Array(c);
  const rstd = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) {
    let m: number;
    let v: number;
    if (training) {
      m = channelSum(xd, runs, ch, 0) / count;
      v = channelSumSq(xd, runs, ch, m) / count;
      // PyTorch: running stats take the batch mean and the UNBIASED batch variance.
      if (runningMean !== null) runningMean.data[ch] = (1 - momentum) * runningMean.data[ch]! + momentum * m;
      if (runningVar !== null)
        runningVar.data[ch] = (1 - momentum) * runningVar.data[ch]! + (momentum * v * count) / (count - 1);
    } else {
      m = runningMean!.data[ch]!;
      v = runningVar!.data[ch]!;
    }
    mu[ch] = m;
    rstd[ch] = 1 / Math.sqrt(v + eps);
  }
  const out = new Tensor(allocate(x.dtype, x.size), x.shape);
  const wd = weight?.data;
  const bd = bias?.data;
  const withRelu = opts.relu ?? false;
  for (let ch = 0; ch < c; ch++) {
    channelAffine(out.data, xd, runs, ch, mu[ch]!, rstd[ch]! * (wd ? wd[ch]! : 1), bd ? bd[ch]! : 0);
    if (withRelu) channelRelu(out.data, runs, ch);
  }
  const inputs = [x];
  if (weight !== null) inputs.push(weight);
  if (bias !== null) inputs.push(bias);
  return record(out, withRelu ? 'batchNormRelu' : 'batchNorm', inputs, (gOut) => {
    // Through the ReLU first: the output is positive exactly where the normalised value was.
    let g = gOut;
    if (withRelu) {
      g = allocate(x.dtype, x.size);
      reluMask(g, gOut, out.data);
    }
    const gx = x.requiresGrad ? allocate(x.dtype, x.size) : null;
    const gw = weight?.requiresGrad ? allocate(x.dtype, c) : null;
    const gb = bias?.requiresGrad ? allocate(x.dtype, c) : null;
    for (let ch = 0; ch < c; ch++) {
      const m = mu[ch]!;
      const r = rstd[ch]!;
      // sg = sum g, sgx = sum g * xhat over the channel.
      const [sg, sgxc] = channelGradSums(g, xd, runs, ch, m);
      const sgx = sgxc * r;
      if (gw) gw[ch] = sgx;
      if (gb) gb[ch] = sg;
      if (!gx) continue;
      const w = wd ? wd[ch]! : 1;
      // dx = w r (g - mean(g) - xhat mean(g xhat)) when training (the batch statistics depend on x),
      // else w r g.
      if (training)
        channelGradInput(gx, g, xd, runs, ch, { a: w * r, b: sg / count, m, k: (r * sgx) / count });
      else channelAffine(gx, g, runs, ch, 0, w * r, 0);
    }
    const grads = [gx];
    if (weight !== null) grads.push(gw);
    if (bias !== null) grads.push(gb);
    return grads;
  });
}

export interface LayerNormOptions {
  eps?: number;
}

/**
 * Layer normalisation over the trailing dimensions `normalizedShape` (like torch.nn.functional.layer_norm),
 * with optional elementwise weight and bias of that shape.
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: readonly number[],
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  opts: LayerNormOptions = {},
): Tensor {
  const eps = opts.eps ?? 1e-5;
  const k = normalizedShape.length;
  const tail = x.shape.slice(x.ndim - k);
  if (k === 0 || k > x.ndim || tail.some((d, i) => d !== normalizedShape[i]))
    throw new ShapeError(
      `layerNorm: normalizedShape ${fmtShape(normalizedShape)} is not the trailing shape of input ${fmtShape(x.shape)}`,
    );
  for (const [name, t] of [
    ['weight', weight],
    ['bias', bias],
  ] as const) {
    if (t === null) continue;
    assertSameDtype('layerNorm', x, t);
    if (t.ndim !== k || t.shape.some((d, i) => d !== normalizedShape[i]))
      throw new ShapeError(
        `layerNorm: ${name} must have shape ${fmtShape(normalizedShape)}, got ${fmtShape(t.shape)}`,
      );
  }
  const axes = normalizedShape.map((_, i) => x.ndim - k + i);
  const centered = sub(x, mean(x, axes, true));
  const v = variance(x, axes, { keepdim: true, unbiased: false });
  let y = div(centered, sqrt(add(v, eps)));
  if (weight !== null) y = mul(y, weight);
  if (bias !== null) y = add(y, bias);
  return y;
}

/**
 * Inverted dropout like torch: in training, zero each element with probability p (drawn from `rng`) and scale
 * survivors by 1/(1-p); identity when not training or p = 0.
 */
export function dropout(x: Tensor, p: number, rng: Rng, training = true): Tensor {
  if (!(p >= 0 && p <= 1)) throw new ArgumentError(`dropout: p must be in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  const n = x.size;
  const mask = allocate(x.dtype, n);
  if (p < 1) {
    // rng.uniform() < p  <=>  nextU32() < p * 2^32 exactly (uniform() is nextU32() / 2^32), so the masks
    // are the same draws as before; `scale * +(keep)` avoids a branch that mispredicts at p = 0.5.
    const threshold = p * 4294967296;
    const scale = 1 / (1 - p);
    for (let i = 0; i < n; i++) mask[i] = scale * +(rng.nextU32() >= threshold);
  }
  // out = x * mask with the mask's stored (dtype-rounded) scale: bit-identical to mul(x, mask).
  const xd = x.data;
  const out = new Tensor(allocate(x.dtype, n), x.shape);
  const y = out.data;
  for (let i = 0; i < n; i++) y[i] = xd[i]! * mask[i]!;
  return record(out, 'dropout', [x], (g) => {
    const gx = allocate(x.dtype, n);
    for (let i = 0; i < n; i++) gx[i] = g[i]! * mask[i]!;
    return [gx];
  });
}
