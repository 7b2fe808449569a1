/** Normalisation layers as functions: batchNorm (PyTorch running-stat semantics), layerNorm, and dropout. */
import { type ChannelRuns, getBackend, type Storage } from '@asma/kernels';
import type { Rng } from '@asma/util';
import { noteScratch } from '../grad/scratch.js';
import { record } from '../grad/tape.js';
import { allocate, assertSameDtype, type DType, storageOf, Tensor } from '../tensor.js';
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
  const be = getBackend();
  const xd = storageOf(x);
  const runs: ChannelRuns = { n, c, inner };
  const mu = be.allocateStats(c);
  const varianceStats = be.allocateStats(c);
  const rstd = be.allocateStats(c);
  if (!training) {
    be.copy(mu, storageOf(runningMean!));
    be.copy(varianceStats, storageOf(runningVar!));
  }
  const out = new Tensor(allocate(x.dtype, x.size, false), x.shape); // written whole by the kernel
  const withRelu = opts.relu ?? false;
  const wd = weight === null ? null : storageOf(weight);
  be.batchNormForward({
    x: xd,
    out: out.storage,
    runs,
    training,
    mean: mu,
    variance: varianceStats,
    rstd,
    eps,
    weight: wd,
    bias: bias === null ? null : storageOf(bias),
    relu: withRelu,
  });
  if (training)
    be.batchNormRunningUpdate(
      runningMean === null ? null : storageOf(runningMean),
      runningVar === null ? null : storageOf(runningVar),
      mu,
      varianceStats,
      momentum,
      count,
    );
  const inputs = [x];
  if (weight !== null) inputs.push(weight);
  if (bias !== null) inputs.push(bias);
  return record(out, withRelu ? 'batchNormRelu' : 'batchNorm', inputs, (gOut) => {
    const gx = x.requiresGrad ? allocate(x.dtype, x.size, false) : null;
    const sumG = be.allocateStats(c);
    const sumGXhat = be.allocateStats(c);
    // Through the ReLU first: the output is positive exactly where the normalised value was.
    be.batchNormBackward({
      g: gOut,
      x: xd,
      reluOut: withRelu ? out.storage : null,
      runs,
      mean: mu,
      rstd,
      weight: wd,
      training,
      gx,
      sumG,
      sumGXhat,
    });
    const grads = [gx];
    if (weight !== null) grads.push(weight.requiresGrad ? inDtype(x.dtype, sumGXhat) : null);
    if (bias !== null) grads.push(bias.requiresGrad ? inDtype(x.dtype, sumG) : null);
    return grads;
  });
}

/** A per-channel statistic in the tensor's storage type (rounded like the stores it replaces). */
function inDtype(dtype: DType, v: Storage): Storage {
  const out = allocate(dtype, v.length, false);
  getBackend().copy(out, v);
  return out;
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
 * Inverted dropout like torch: in training, zero each element with probability p and scale survivors by
 * 1/(1-p); identity when not training or p = 0. One draw from `rng` keys the call; element i keeps when
 * dropoutHash(key, i) >= p 2^32 (@asma/kernels: counter-based, so kernel threads draw ranges alone).
 */
export function dropout(x: Tensor, p: number, rng: Rng, training = true): Tensor {
  if (!(p >= 0 && p <= 1)) throw new ArgumentError(`dropout: p must be in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  const n = x.size;
  const be = getBackend();
  const mask = allocate(x.dtype, n);
  noteScratch(mask); // read by backward only: a scratch scope may recycle it with the graph
  const out = new Tensor(allocate(x.dtype, n), x.shape);
  // out = x * mask (p = 1: the mask stays zero) with the mask's stored (dtype-rounded) scale.
  // One draw per call keys the counter-based mask (kernels' dropoutHash), so threads can split it.
  const xs = storageOf(x);
  if (p < 1) be.dropout(out.storage, mask, xs, p, rng.nextU32());
  else be.binary('mul', out.storage, xs, mask);
  return record(out, 'dropout', [x], (g) => {
    const gx = allocate(x.dtype, n);
    be.binary('mul', gx, g, mask);
    return [gx];
  });
}
