/**
 * The two PyTorch containers ST-GCN's state dict is named after and @asma/autodiff does not need:
 * ModuleList (children "0", "1", ... with their own forward signatures) and ParameterList
 * (parameters "0", "1", ...), so keys read `st_gcn_networks.3.gcn.conv.weight` and `edge_importance.3`.
 */
import { Module, type Tensor } from '@asma/autodiff';

export class ModuleList<M extends Module> extends Module {
  private readonly items: M[];

  constructor(items: readonly M[]) {
    super();
    this.items = [...items];
    for (const [i, m] of this.items.entries()) this.registerModule(String(i), m);
  }

  get length(): number {
    return this.items.length;
  }

  at(i: number): M {
    const m = this.items[i];
    if (m === undefined)
      throw new RangeError(`ModuleList: index ${i} out of range for ${this.items.length} modules`);
    return m;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }
}

export class ParameterList extends Module {
  readonly length: number;

  constructor(params: readonly Tensor[]) {
    super();
    this.length = params.length;
    for (const [i, p] of params.entries()) this.registerParameter(String(i), p);
  }

  /** Read through the registry so Module.to(dtype) replacements are seen. */
  at(i: number): Tensor {
    if (!Number.isInteger(i) || i < 0 || i >= this.length)
      throw new RangeError(`ParameterList: index ${i} out of range for ${this.length} parameters`);
    return this.param(String(i))!;
  }
}
