import type { Rng } from '@asma/util';
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

/** An indexable list of modules, children named "0", "1", ... (torch.nn.ModuleList). */
export class ModuleList<M extends Module = Module> extends Module {
  private readonly items: M[] = [];

  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.push(m);
  }

  push(m: M): this {
    this.registerModule(String(this.items.length), m);
    this.items.push(m);
    return this;
  }

  get length(): number {
    return this.items.length;
  }

  at(i: number): M {
    const m = this.items[i < 0 ? this.items.length + i : i];
    if (m === undefined)
      throw new RangeError(`ModuleList: index ${i} out of range for ${this.items.length} modules`);
    return m;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }
}

/** An indexable list of parameters named "0", "1", ... (torch.nn.ParameterList, e.g. ST-GCN's edge_importance). */
export class ParameterList extends Module {
  private count = 0;

  constructor(params: Iterable<Tensor> = []) {
    super();
    for (const p of params) this.push(p);
  }

  push(p: Tensor): this {
    this.registerParameter(String(this.count++), p);
    return this;
  }

  get length(): number {
    return this.count;
  }

  at(i: number): Tensor {
    const j = i < 0 ? this.count + i : i;
    if (!(j >= 0 && j < this.count))
      throw new RangeError(`ParameterList: index ${i} out of range for ${this.count} parameters`);
    return this.param(String(j))!;
  }

  [Symbol.iterator](): Iterator<Tensor> {
    return Array.from({ length: this.count }, (_, i) => this.at(i))[Symbol.iterator]();
  }
}
