/**
 * Module: the PyTorch-like container of parameters (tensors with requiresGrad), buffers (running
 * statistics, counters) and child modules. Names follow PyTorch so that state dicts carry the same
 * dotted keys (`tcn.1.weight`, `bn.running_mean`, `bn.num_batches_tracked`) and load from/into
 * checkpoints written by torch. Subclasses register their tensors in the constructor and expose them
 * through getters (so `to(dtype)` can swap them), and define their own typed `forward`.
 */

import type { IntTensor } from '../io/int-tensor.js';
import { fmtShape } from '../ops/errors.js';
import { type DType, Tensor } from '../tensor.js';

export type BufferValue = Tensor | IntTensor;
export type StateDict = Map<string, BufferValue>;
export type StateDictLike = StateDict | Record<string, BufferValue>;

export interface LoadStateDictOptions {
  /** Throw when keys are missing or unexpected (default true). Shape mismatches always throw. */
  strict?: boolean;
}

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** A state dict did not fit a module; the message names the key(s) and shapes. */
export class StateDictError extends Error {
  override name = 'StateDictError';
}

const NAME = /^[A-Za-z0-9_]+$/;

export class Module {
  /** Training mode (batch statistics, active dropout) vs eval mode. */
  training = true;
  private readonly params = new Map<string, Tensor | null>();
  private readonly buffers = new Map<string, BufferValue | null>();
  private readonly modules = new Map<string, Module>();

  private checkName(kind: string, name: string): void {
    if (!NAME.test(name))
      throw new TypeError(`${this.constructor.name}: invalid ${kind} name "${name}" (letters, digits, _)`);
    if (this.params.has(name) || this.buffers.has(name) || this.modules.has(name))
      throw new TypeError(`${this.constructor.name}: "${name}" is already registered`);
  }

  /** Register a parameter (marked requiresGrad); null registers an absent optional one (e.g. bias=false). */
  protected registerParameter(name: string, t: Tensor | null): void {
    this.checkName('parameter', name);
    if (t !== null) t.requiresGrad = true;
    this.params.set(name, t);
  }

  protected registerBuffer(name: string, t: BufferValue | null): void {
    this.checkName('buffer', name);
    this.buffers.set(name, t);
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    this.checkName('module', name);
    this.modules.set(name, m);
    return m;
  }

  /** A registered parameter (null when registered as absent). */
  protected param(name: string): Tensor | null {
    const p = this.params.get(name);
    if (p === undefined) throw new TypeError(`${this.constructor.name}: no parameter "${name}"`);
    return p;
  }

  protected buffer(name: string): BufferValue | null {
    const b = this.buffers.get(name);
    if (b === undefined) throw new TypeError(`${this.constructor.name}: no buffer "${name}"`);
    return b;
  }

  /** Replace a registered parameter's tensor (keeps the name and order). */
  protected setParam(name: string, t: Tensor | null): void {
    if (!this.params.has(name)) throw new TypeError(`${this.constructor.name}: no parameter "${name}"`);
    if (t !== null) t.requiresGrad = true;
    this.params.set(name, t);
  }

  protected setBuffer(name: string, t: BufferValue | null): void {
    if (!this.buffers.has(name)) throw new TypeError(`${this.constructor.name}: no buffer "${name}"`);
    this.buffers.set(name, t);
  }

  /** Direct children with their names. */
  namedChildren(): [string, Module][] {
    return [...this.modules.entries()];
  }

  get children(): Module[] {
    return [...this.modules.values()];
  }

  /** This module and all descendants, depth first, with dotted names ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, m] of this.modules)
      out.push(...m.namedModules(prefix === '' ? name : `${prefix}.${name}`));
    return out;
  }

  modulesList(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Every parameter with its dotted name, each tensor once (PyTorch order: own first, then children). */
  namedParameters(): [string, Tensor][] {
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules())
      for (const [name, p] of m.params) {
        if (p === null || seen.has(p)) continue;
        seen.add(p);
        out.push([prefix === '' ? name : `${prefix}.${name}`, p]);
      }
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(): [string, BufferValue][] {
    const out: [string, BufferValue][] = [];
    for (const [prefix, m] of this.namedModules())
      for (const [name, b] of m.buffers)
        if (b !== null) out.push([prefix === '' ? name : `${prefix}.${name}`, b]);
    return out;
  }

  /** Number of scalar parameters (PyTorch's sum(p.numel() for p in parameters())). */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Set training mode here and in every descendant. */
  train(mode = true): this {
    for (const m of this.modulesList()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Drop every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Call fn on every descendant, then on this module (PyTorch's Module.apply order). */
  apply(fn: (m: Module) => void): this {
    for (const m of this.modules.values()) m.apply(fn);
    fn(this);
    return this;
  }

  /** Convert every float parameter and float buffer to `dtype` (new tensors; gradients dropped). */
  to(dtype: DType): this {
    for (const m of this.modulesList()) {
      for (const [name, p] of m.params)
        if (p !== null && p.dtype !== dtype) m.params.set(name, new Tensor(convert(p, dtype), p.shape, true));
      for (const [name, b] of m.buffers)
        if (b instanceof Tensor && b.dtype !== dtype)
          m.buffers.set(name, new Tensor(convert(b, dtype), b.shape, false));
    }
    return this;
  }

  /**
   * Ordered map of dotted name -> tensor: for each module its parameters, then its buffers, then its
   * children (PyTorch's state_dict order). Float entries are detached views sharing the module's storage.
   */
  stateDict(): StateDict {
    const out: StateDict = new Map();
    for (const [prefix, m] of this.namedModules()) {
      const key = (name: string) => (prefix === '' ? name : `${prefix}.${name}`);
      for (const [name, p] of m.params) if (p !== null) out.set(key(name), p.detach());
      for (const [name, b] of m.buffers)
        if (b !== null) out.set(key(name), b instanceof Tensor ? b.detach() : b);
    }
    return out;
  }

  /**
   * Copy values from a state dict into this module's tensors in place (so optimisers keep pointing at
   * them). Shapes must match exactly; float values are converted to the module's dtype. With strict
   * (default) missing or unexpected keys throw, naming them.
   */
  loadStateDict(sd: StateDictLike, opts: LoadStateDictOptions = {}): LoadStateDictResult {
    const strict = opts.strict ?? true;
    const source = sd instanceof Map ? sd : new Map(Object.entries(sd));
    const own = new Map<string, BufferValue>();
    for (const [prefix, m] of this.namedModules()) {
      const key = (name: string) => (prefix === '' ? name : `${prefix}.${name}`);
      for (const [name, p] of m.params) if (p !== null) own.set(key(name), p);
      for (const [name, b] of m.buffers) if (b !== null) own.set(key(name), b);
    }
    const missingKeys = [...own.keys()].filter((k) => !source.has(k));
    const unexpectedKeys = [...source.keys()].filter((k) => !own.has(k));
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0))
      throw new StateDictError(
        `${this.constructor.name}.loadStateDict: ${[
          missingKeys.length > 0 ? `missing keys ${missingKeys.map((k) => `"${k}"`).join(', ')}` : '',
          unexpectedKeys.length > 0
            ? `unexpected keys ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}`
            : '',
        ]
          .filter((s) => s !== '')
          .join('; ')}`,
      );
    // Check every shape before copying anything, so a failed load leaves the module untouched.
    for (const [key, target] of own) {
      const src = source.get(key);
      if (src === undefined) continue;
      if (src.shape.length !== target.shape.length || src.shape.some((d, i) => d !== target.shape[i]))
        throw new StateDictError(
          `${this.constructor.name}.loadStateDict: "${key}" has shape ${fmtShape(src.shape)} in the state dict but ${fmtShape(target.shape)} in the model`,
        );
      if (src instanceof Tensor !== target instanceof Tensor)
        throw new StateDictError(
          `${this.constructor.name}.loadStateDict: "${key}" is ${src instanceof Tensor ? 'a float tensor' : 'an integer tensor'} in the state dict but ${target instanceof Tensor ? 'a float tensor' : 'an integer tensor'} in the model`,
        );
    }
    for (const [key, target] of own) {
      const src = source.get(key);
      if (src === undefined) continue;
      if (target instanceof Tensor) target.assign((src as Tensor).data);
      else copyInts(target, src as IntTensor);
    }
    return { missingKeys, unexpectedKeys };
  }
}

function convert(t: Tensor, dtype: DType) {
  return dtype === 'float64' ? Float64Array.from(t.data) : Float32Array.from(t.data);
}

function copyInts(target: IntTensor, src: IntTensor): void {
  const t = target.data;
  const s = src.data;
  if (t instanceof BigInt64Array) {
    for (let i = 0; i < t.length; i++) t[i] = BigInt(s[i]!);
  } else {
    for (let i = 0; i < t.length; i++) t[i] = Number(s[i]!);
  }
}

/** A module whose forward maps one tensor to one tensor (what Sequential chains). */
export interface TensorModule extends Module {
  forward(x: Tensor): Tensor;
}
