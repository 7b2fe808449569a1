import type { FloatArray } from '@asma/kernels';
import type { Tensor } from '../tensor.js';
import { Optimizer, type ParamGroup, type ParamState, zerosLike } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
}

/**
 * One Adam update with PyTorch's (1.13, single-tensor) arithmetic: bias-corrected moments, eps added
 * outside the square root: p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
 * `l2` is added to the gradient (Adam's weight decay); AdamW's decoupled decay is applied by the caller.
 */
function adamUpdate(p: FloatArray, g: FloatArray, h: AdamOptions, s: ParamState, l2: number): boolean {
  const [b1, b2] = h.betas;
  if (s.exp_avg === undefined) {
    s.step = 0;
    s.exp_avg = zerosLike(p);
    s.exp_avg_sq = zerosLike(p);
  }
  const step = (s.step as number) + 1;
  s.step = step;
  const m = s.exp_avg as FloatArray;
  const v = s.exp_avg_sq as FloatArray;
  const stepSize = h.lr / (1 - b1 ** step);
  const bc2Sqrt = Math.sqrt(1 - b2 ** step);
  const eps = h.eps;
  // z stays 0 while every new value is finite (x * 0 is NaN for NaN and Inf): the finiteness check, fused.
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

/** The first thing wrong with Adam hyper-parameters, or null. */
function adamProblem(h: AdamOptions): string | null {
  if (!(Number.isFinite(h.lr) && h.lr >= 0)) return `lr must be >= 0, got ${h.lr}`;
  if (!Array.isArray(h.betas) || h.betas.length !== 2)
    return `betas must be [beta1, beta2], got ${JSON.stringify(h.betas)}`;
  if (!(h.betas[0] >= 0 && h.betas[0] < 1 && h.betas[1] >= 0 && h.betas[1] < 1))
    return `betas must lie in [0, 1), got [${h.betas.join(', ')}]`;
  if (!(h.eps >= 0)) return `eps must be >= 0, got ${h.eps}`;
  if (!(h.weightDecay >= 0)) return `weightDecay must be >= 0, got ${h.weightDecay}`;
  return null;
}

/** Adam (Kingma & Ba) as torch.optim.Adam: weight decay is an L2 term added to the gradient. */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: Tensor[] | ParamGroup<AdamOptions>[], opts: Partial<AdamOptions> = {}) {
    super('Adam', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, ...opts });
  }
  protected validate(h: AdamOptions, i: number): void {
    const problem = adamProblem(h);
    this.check(problem === null, i, problem ?? '');
  }
  protected update(p: FloatArray, g: FloatArray, h: AdamOptions, s: ParamState): boolean {
    return adamUpdate(p, g, h, s, h.weightDecay);
  }
}

/** AdamW (Loshchilov & Hutter) as torch.optim.AdamW: p *= 1 - lr * wd, then a plain Adam step. */
export class AdamW extends Optimizer<AdamOptions> {
  constructor(params: Tensor[] | ParamGroup<AdamOptions>[], opts: Partial<AdamOptions> = {}) {
    super('AdamW', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, ...opts });
  }
  protected validate(h: AdamOptions, i: number): void {
    const problem = adamProblem(h);
    this.check(problem === null, i, problem ?? '');
  }
  protected update(p: FloatArray, g: FloatArray, h: AdamOptions, s: ParamState): boolean {
    const decay = 1 - h.lr * h.weightDecay;
    if (decay !== 1) for (let i = 0; i < p.length; i++) p[i] = p[i]! * decay;
    return adamUpdate(p, g, h, s, 0);
  }
}
