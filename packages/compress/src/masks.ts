/**
 * Pruning masks: one 0/1 array per parameter tensor. Pruned weights are zeroed once and re-zeroed after
 * every optimiser step while fine-tuning (HookedAdam), so they stay exactly 0.
 */
import type { Module, Tensor } from '@asma/autodiff';

/** Parameter name -> mask (1 keeps, 0 prunes), same length as the parameter. */
export type PruneMasks = Map<string, Uint8Array>;

/** Zero every masked element of `model`'s parameters (in place). */
export function applyMasks(model: Module, masks: PruneMasks): void {
  const params = new Map(model.namedParameters());
  for (const [name, mask] of masks) {
    const p = params.get(name);
    if (p === undefined) throw new RangeError(`applyMasks: the model has no parameter '${name}'`);
    if (p.size !== mask.length)
      throw new RangeError(
        `applyMasks: mask of '${name}' has ${mask.length} entries, the parameter ${p.size}`,
      );
    const d = p.data;
    for (let i = 0; i < d.length; i++) if (mask[i] === 0) d[i] = 0;
  }
}

/** Fraction of exactly-zero values over the given parameters (default: all). */
export function sparsity(model: Module, names?: Iterable<string>): number {
  const params = new Map(model.namedParameters());
  const list: Tensor[] = names ? [...names].map((n) => params.get(n)!) : [...params.values()];
  let zeros = 0;
  let total = 0;
  for (const p of list) {
    for (const v of p.data) if (v === 0) zeros++;
    total += p.size;
  }
  return total === 0 ? 0 : zeros / total;
}
