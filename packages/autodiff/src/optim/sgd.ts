import type { FloatArray } from '@asma/kernels';
import type { Tensor } from '../tensor.js';
import { Optimizer, type ParamGroup, type ParamState } from './optimizer.js';

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

  protected update(p: FloatArray, g: FloatArray, h: SgdOptions, s: ParamState): boolean {
    const { lr, momentum, dampening, nesterov, weightDecay: wd } = h;
    // z stays 0 while every new value is finite (x * 0 is NaN for NaN and Inf): the finiteness check, fused.
    let z = 0;
    if (momentum === 0) {
      for (let i = 0; i < p.length; i++) {
        p[i] = p[i]! - lr * (g[i]! + wd * p[i]!);
        z += p[i]! * 0;
      }
      return z === 0;
    }
    const first = s.momentum_buffer === undefined;
    if (first)
      s.momentum_buffer = p instanceof Float64Array ? new Float64Array(p.length) : new Float32Array(p.length);
    const buf = s.momentum_buffer as FloatArray;
    for (let i = 0; i < p.length; i++) {
      const d = g[i]! + wd * p[i]!;
      const b = first ? d : momentum * buf[i]! + (1 - dampening) * d;
      buf[i] = b;
      p[i] = p[i]! - lr * (nesterov ? d + momentum * buf[i]! : buf[i]!);
      z += p[i]! * 0;
    }
    return z === 0;
  }
}
