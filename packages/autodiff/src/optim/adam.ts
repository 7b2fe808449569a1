import { getBackend, type Storage } from '@asma/kernels';
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
function adamUpdate(
  p: Storage,
  g: Storage,
  h: AdamOptions,
  s: ParamState,
  l2: number,
  decay = 1,
): boolean | undefined {
  const [b1, b2] = h.betas;
  if (s.exp_avg === undefined) {
    s.step = 0;
    s.exp_avg = zerosLike(p);
    s.exp_avg_sq = zerosLike(p);
  }
  const step = (s.step as number) + 1;
  s.step = step;
  return getBackend().adamStep(p, g, s.exp_avg as Storage, s.exp_avg_sq as Storage, {
    b1,
    b2,
    eps: h.eps,
    l2,
    stepSize: h.lr / (1 - b1 ** step),
    bc2Sqrt: Math.sqrt(1 - b2 ** step),
    decay,
  });
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
  protected update(p: Storage, g: Storage, h: AdamOptions, s: ParamState): boolean | undefined {
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
  protected update(p: Storage, g: Storage, h: AdamOptions, s: ParamState): boolean | undefined {
    return adamUpdate(p, g, h, s, 0, 1 - h.lr * h.weightDecay);
  }
}
