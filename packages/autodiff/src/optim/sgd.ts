import { getBackend, type Storage } from '@asma/kernels';
import type { Tensor } from '../tensor.js';
import { Optimizer, type ParamGroup, type ParamState, zerosLike } from './optimizer.js';

export interface SgdOptions {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  /** L2 penalty added to the gradient. */
  weightDecay: number;
}

/**
 * SGD with PyTorch's semantics: d = g + wd * p; buf = d on the first step, then momentum * buf +
 * (1 - dampening) * d; d = nesterov ? d + momentum * buf : buf; p -= lr * d.
 */
export class SGD extends Optimizer<SgdOptions> {
  constructor(params: Tensor[] | ParamGroup<SgdOptions>[], opts: Partial<SgdOptions> & { lr: number }) {
    super('SGD', params, { momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, ...opts });
  }

  protected validate(g: SgdOptions, i: number): void {
    this.check(Number.isFinite(g.lr) && g.lr >= 0, i, `lr must be >= 0, got ${g.lr}`);
    this.check(g.momentum >= 0, i, `momentum must be >= 0, got ${g.momentum}`);
    this.check(g.weightDecay >= 0, i, `weightDecay must be >= 0, got ${g.weightDecay}`);
    this.check(
      !g.nesterov || (g.momentum > 0 && g.dampening === 0),
      i,
      'nesterov needs momentum > 0 and dampening 0',
    );
  }

  protected update(p: Storage, g: Storage, h: SgdOptions, s: ParamState): boolean | undefined {
    const { lr, momentum, dampening, nesterov, weightDecay } = h;
    const first = momentum !== 0 && s.momentum_buffer === undefined;
    if (first) s.momentum_buffer = zerosLike(p);
    const buf = momentum === 0 ? null : (s.momentum_buffer as Storage);
    return getBackend().sgdStep(p, g, buf, { lr, momentum, dampening, nesterov, weightDecay, first });
  }
}
