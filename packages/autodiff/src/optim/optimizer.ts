/**
 * Optimiser base: parameter groups with per-group hyper-parameters, per-parameter state, PyTorch-style
 * stateDict()/loadStateDict() (parameters referred to by their index across all groups), so a resumed
 * run continues bit-identically. Updates are applied in place to param.data.
 */
import { type FloatArray, getBackend, isDeviceArray, type Storage } from '@asma/kernels';
import { firstNonFinite } from '../io/finite.js';
import { fmtShape } from '../ops/errors.js';
import { storageOf, type Tensor } from '../tensor.js';

export type HyperValue = number | boolean | readonly number[];
/** Per-parameter state: moment buffers (same dtype and length as the parameter) and scalars such as step. */
export type ParamState = Record<string, Storage | number>;

export type ParamGroup<H> = { params: Tensor[] } & Partial<H>;
export type ResolvedGroup<H> = { params: Tensor[] } & H;

export interface OptimizerStateDict {
  /** Each group's hyper-parameters, plus `params`: the global indices of its parameters. */
  paramGroups: Array<Record<string, HyperValue> & { params: number[] }>;
  /** State by global parameter index; parameters never stepped have none. */
  state: Record<number, ParamState>;
}

/** An optimiser was configured or used wrongly; the message names the optimiser and the field. */
export class OptimizerError extends Error {
  override name = 'OptimizerError';
}

function copyState(s: ParamState): ParamState {
  const out: ParamState = {};
  for (const [k, v] of Object.entries(s))
    out[k] = typeof v === 'number' ? v : hostState(v, `state.${k}`).slice();
  return out;
}

export abstract class Optimizer<H extends { lr: number }> {
  readonly paramGroups: ResolvedGroup<H>[];
  protected readonly state = new Map<Tensor, ParamState>();

  constructor(
    readonly name: string,
    params: Tensor[] | ParamGroup<H>[],
    defaults: H,
  ) {
    const groups: ParamGroup<H>[] =
      params.length > 0 && !('params' in (params[0] as object))
        ? [{ params: params as Tensor[] } as ParamGroup<H>]
        : (params as ParamGroup<H>[]);
    if (groups.length === 0 || groups.every((g) => g.params.length === 0))
      throw new OptimizerError(`${name}: got an empty parameter list`);
    const seen = new Set<Tensor>();
    this.paramGroups = groups.map((g, gi) => {
      // Frozen tensors (requiresGrad false) are allowed, as in torch: they never get a gradient, so step() skips them.
      for (const p of g.params) {
        if (seen.has(p))
          throw new OptimizerError(`${name}: a parameter ${fmtShape(p.shape)} appears twice (group ${gi})`);
        seen.add(p);
      }
      const resolved = { ...defaults, ...g, params: [...g.params] } as ResolvedGroup<H>;
      this.validate(resolved, gi);
      return resolved;
    });
  }

  /** Check one group's hyper-parameters; throw OptimizerError naming the field. */
  protected abstract validate(group: H, index: number): void;
  /**
   * Update p in place from grad g (same length), reading and updating its state. Returns whether every
   * updated value is finite when the backend checked it inside the update (the CPU does, for one
   * multiply-add per element); undefined: step() checks a host parameter in a second pass (a device
   * parameter is not read back for it).
   */
  protected abstract update(p: Storage, g: Storage, group: H, state: ParamState): boolean | undefined;

  protected check(cond: boolean, index: number, what: string): void {
    if (!cond) throw new OptimizerError(`${this.name}: param group ${index}: ${what}`);
  }

  /** Learning rate of the first group; setting it sets every group's (what a scheduler wants). */
  get lr(): number {
    return this.paramGroups[0]!.lr;
  }
  set lr(v: number) {
    if (!(Number.isFinite(v) && v >= 0))
      throw new OptimizerError(`${this.name}: lr must be a finite number >= 0, got ${v}`);
    for (const g of this.paramGroups) g.lr = v;
  }

  /** All parameters, in group order (the order stateDict indices refer to). */
  params(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** Drop every parameter's gradient (set to null, like PyTorch's set_to_none). */
  zeroGrad(): void {
    for (const p of this.params()) p.grad = null;
  }

  /**
   * One update of every parameter that has a gradient. Returns the first parameter the update left
   * holding NaN or Inf (every parameter is still updated), or null: callers stop a run on it.
   */
  step(): Tensor | null {
    let nonFinite: Tensor | null = null;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const g = p.grad;
        if (g === null) continue;
        if (g.size !== p.size)
          throw new OptimizerError(
            `${this.name}: gradient ${fmtShape(g.shape)} does not match parameter ${fmtShape(p.shape)}`,
          );
        let s = this.state.get(p);
        if (s === undefined) {
          s = {};
          this.state.set(p, s);
        }
        const ps = storageOf(p);
        if (isDeviceArray(ps)) stateToDevice(s);
        const finite =
          this.update(ps, storageOf(g), group, s) ?? (isDeviceArray(ps) || firstNonFinite(ps) < 0);
        if (!finite) nonFinite ??= p;
      }
    }
    return nonFinite;
  }

  /** A deep copy of hyper-parameters and state. */
  stateDict(): OptimizerStateDict {
    return this.stateDictOf(this.state);
  }

  /** stateDict() on any backend: state on a device is read back (what a checkpoint writes). */
  async readStateDict(): Promise<OptimizerStateDict> {
    const host = new Map<Tensor, ParamState>();
    for (const [p, s] of this.state) {
      const out: ParamState = {};
      for (const [k, v] of Object.entries(s))
        out[k] = typeof v === 'number' || !isDeviceArray(v) ? v : await getBackend().read(v);
      host.set(p, out);
    }
    return this.stateDictOf(host);
  }

  private stateDictOf(stateMap: Map<Tensor, ParamState>): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    for (const p of this.params()) index.set(p, index.size);
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...hyper } = g;
      const copy: Record<string, HyperValue> = {};
      for (const [k, v] of Object.entries(hyper)) copy[k] = Array.isArray(v) ? [...v] : (v as HyperValue);
      return { ...copy, params: params.map((p) => index.get(p)!) };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of stateMap) state[index.get(p)!] = copyState(s);
    return { paramGroups, state };
  }

  /** Restore hyper-parameters and state saved by stateDict() of an optimiser over the same parameter layout. */
  loadStateDict(sd: OptimizerStateDict): void {
    if (sd.paramGroups.length !== this.paramGroups.length)
      throw new OptimizerError(
        `${this.name}.loadStateDict: ${sd.paramGroups.length} param groups saved, this optimiser has ${this.paramGroups.length}`,
      );
    const params = this.params();
    let next = 0;
    sd.paramGroups.forEach((saved, gi) => {
      const group = this.paramGroups[gi]!;
      if (saved.params.length !== group.params.length)
        throw new OptimizerError(
          `${this.name}.loadStateDict: group ${gi} saved ${saved.params.length} params, this optimiser has ${group.params.length}`,
        );
      saved.params.forEach((idx, j) => {
        if (idx !== next + j)
          throw new OptimizerError(
            `${this.name}.loadStateDict: group ${gi} param ${j} has index ${idx}, expected ${next + j}`,
          );
      });
      next += saved.params.length;
    });
    const newState = new Map<Tensor, ParamState>();
    for (const [key, s] of Object.entries(sd.state)) {
      const p = params[Number(key)];
      if (p === undefined)
        throw new OptimizerError(
          `${this.name}.loadStateDict: state for parameter ${key}, but there are only ${params.length}`,
        );
      for (const [k, v] of Object.entries(s))
        if (typeof v !== 'number' && v.length !== p.size)
          throw new OptimizerError(
            `${this.name}.loadStateDict: state.${key}.${k} has ${v.length} elements, parameter ${fmtShape(p.shape)} has ${p.size}`,
          );
      newState.set(p, copyState(s));
    }
    sd.paramGroups.forEach((saved, gi) => {
      const { params: _, ...hyper } = saved;
      const group = this.paramGroups[gi]!;
      const merged = { ...group, ...hyper, params: group.params } as ResolvedGroup<H>;
      this.validate(merged, gi);
      Object.assign(group, merged);
    });
    this.state.clear();
    for (const [p, s] of newState) this.state.set(p, s);
  }
}

/** A zero buffer of the parameter's dtype, where the parameter lives. */
export function zerosLike(p: Storage): Storage {
  if (isDeviceArray(p)) return getBackend().allocate!(p.length, false, true)!;
  return p instanceof Float64Array ? new Float64Array(p.length) : new Float32Array(p.length);
}

/** Moves host state (loaded from a checkpoint) to the device its parameter lives on, in place. */
function stateToDevice(s: ParamState): void {
  for (const [k, v] of Object.entries(s))
    if (typeof v !== 'number' && !isDeviceArray(v)) s[k] = getBackend().upload(Float32Array.from(v));
}

/** Host optimiser state (stateDict and loadStateDict copy it; device state must be read back first). */
export function hostState(v: Storage, what: string): FloatArray {
  if (isDeviceArray(v))
    throw new OptimizerError(`${what}: optimiser state lives on the device; read it back before saving`);
  return v;
}
