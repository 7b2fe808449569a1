import type { Rng } from '@asma/kernels';
import { relu } from '../ops/activation.js';
import { dropout } from '../ops/norm.js';
import type { Tensor } from '../tensor.js';
import { Module, type TensorModule } from './module.js';

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** Inverted dropout with probability p, drawing masks from its own seeded Rng; identity in eval mode. */
export class Dropout extends Module {
  constructor(
    readonly p: number,
    readonly rng: Rng,
  ) {
    super();
    if (!(p >= 0 && p <= 1)) throw new RangeError(`Dropout: p must lie in [0, 1], got ${p}`);
  }

  forward(x: Tensor): Tensor {
    return this.training && this.p > 0 ? dropout(x, this.p, this.rng, true) : x;
  }
}

/** Chains modules; children are named "0", "1", ... as in torch.nn.Sequential. */
export class Sequential extends Module {
  private readonly layers: TensorModule[];

  constructor(...layers: TensorModule[]) {
    super();
    this.layers = layers;
    for (const [i, m] of layers.entries()) this.registerModule(String(i), m);
  }

  get length(): number {
    return this.layers.length;
  }

  at(i: number): TensorModule {
    const m = this.layers[i < 0 ? this.layers.length + i : i];
    if (m === undefined)
      throw new RangeError(`Sequential: index ${i} out of range for ${this.layers.length} layers`);
    return m;
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this.layers) y = m.forward(y);
    return y;
  }
}
