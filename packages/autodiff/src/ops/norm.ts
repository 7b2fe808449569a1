/** Normalisation layers as functions: batchNorm (PyTorch running-stat semantics), layerNorm, and dropout. */
import type { Rng } from '@asma/kernels';
import { noGrad } from '../grad/mode.js';
import { allocate, assertSameDtype, Tensor } from '../tensor.js';
import { add, mul, sqrt, sub, div } from './elementwise.js';
import { ArgumentError, fmtShape, ShapeError } from './errors.js';
import { mean, variance } from './reduce.js';
import { reshape } from './shape.js';

export interface BatchNormOptions {
  training?: boolean;
  /** Weight of the new batch statistic in the running average (PyTorch's momentum), default 0.1. */
  momentum?: number;
  eps?: number;
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
  if (x.ndim < 2 || x.ndim > 4) throw new ShapeError(`batchNorm: input must be (N, C), (N, C, L) or (N, C, H, W), got ${fmtShape(x.shape)}`);
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
      throw new ShapeError(`batchNorm: ${name} must have shape [${c}] for input ${fmtShape(x.shape)}, got ${fmtShape(t.shape)}`);
  }
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const bshape = x.shape.map((d, i) => (i === 1 ? d : 1));
  let y: Tensor;
  if (training) {
    const perChannel = x.size / c;
    if (perChannel <= 1)
      throw new ShapeError(`batchNorm: expected more than 1 value per channel when training, got input ${fmtShape(x.shape)}`);
    const mu = mean(x, axes, true);
    const centered = sub(x, mu);
    const v = mean(mul(centered, centered), axes, true);
    y = div(centered, sqrt(add(v, eps)));
    if (runningMean !== null || runningVar !== null) {
      noGrad(() => {
        const rm = runningMean?.data;
        const rv = runningVar?.data;
        const unbias = perChannel / (perChannel - 1);
        for (let i = 0; i < c; i++) {
          if (rm) rm[i] = (1 - momentum) * rm[i]! + momentum * mu.data[i]!;
          if (rv) rv[i] = (1 - momentum) * rv[i]! + momentum * v.data[i]! * unbias;
        }
      });
    }
  } else {
    if (runningMean === null || runningVar === null)
      throw new ArgumentError('batchNorm: eval mode needs runningMean and runningVar');
    const rm = reshape(runningMean.detach(), bshape);
    const rstd = noGrad(() => sqrt(add(reshape(runningVar.detach(), bshape), eps)));
    y = div(sub(x, rm), rstd);
  }
  if (weight !== null) y = mul(y, reshape(weight, bshape));
  if (bias !== null) y = add(y, reshape(bias, bshape));
  return y;
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
    throw new ShapeError(`layerNorm: normalizedShape ${fmtShape(normalizedShape)} is not the trailing shape of input ${fmtShape(x.shape)}`);
  for (const [name, t] of [
    ['weight', weight],
    ['bias', bias],
  ] as const) {
    if (t === null) continue;
    assertSameDtype('layerNorm', x, t);
    if (t.ndim !== k || t.shape.some((d, i) => d !== normalizedShape[i]))
      throw new ShapeError(`layerNorm: ${name} must have shape ${fmtShape(normalizedShape)}, got ${fmtShape(t.shape)}`);
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
  const mask = new Tensor(allocate(x.dtype, x.size), x.shape);
  if (p < 1) {
    const scale = 1 / (1 - p);
    for (let i = 0; i < mask.size; i++) mask.data[i] = rng.uniform() < p ? 0 : scale;
  }
  return mul(x, mask);
}
