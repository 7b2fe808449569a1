/**
 * Global magnitude (unstructured) pruning: the `amount` fraction of smallest |w| over every weight
 * matrix / convolution kernel of the model is set to 0. Biases, BatchNorm, LayerNorm and edge importance
 * are left alone (few values, large effect). Zeros do not make the float model faster; they make it
 * compress well and show how much of the model is redundant.
 */
import type { Module } from '@asma/autodiff';
import { applyMasks, type PruneMasks } from './masks.js';

/** Names of the parameters global magnitude pruning considers: weights with >= 2 dims, no edge importance. */
export function prunableWeights(model: Module): string[] {
  return model
    .namedParameters()
    .filter(([name, p]) => p.ndim >= 2 && !name.includes('edge_importance'))
    .map(([name]) => name);
}

export interface MagnitudePruneResult {
  masks: PruneMasks;
  /** |w| at or below which weights were pruned. */
  threshold: number;
  pruned: number;
  total: number;
}

/** Prune the `amount` fraction (0..1) of smallest-magnitude prunable weights, in place; returns the masks. */
export function magnitudePrune(
  model: Module,
  amount: number,
  names = prunableWeights(model),
): MagnitudePruneResult {
  if (!(amount >= 0 && amount < 1))
    throw new RangeError(`magnitudePrune: amount must be in [0, 1), got ${amount}`);
  const params = new Map(model.namedParameters());
  let total = 0;
  for (const n of names) total += params.get(n)!.size;
  const all = new Float64Array(total);
  let o = 0;
  for (const n of names) for (const v of params.get(n)!.data) all[o++] = Math.abs(v);
  all.sort();
  const count = Math.floor(amount * total);
  const threshold = count === 0 ? -1 : all[count - 1]!;
  // Everything strictly below the threshold, then ties at it in parameter order: exactly `count` pruned.
  let budget = count;
  const masks: PruneMasks = new Map();
  for (const n of names) {
    const d = params.get(n)!.data;
    const m = new Uint8Array(d.length).fill(1);
    for (let i = 0; i < d.length; i++)
      if (Math.abs(d[i]!) < threshold) {
        m[i] = 0;
        budget--;
      }
    masks.set(n, m);
  }
  for (const n of names) {
    const d = params.get(n)!.data;
    const m = masks.get(n)!;
    for (let i = 0; i < d.length && budget > 0; i++)
      if (m[i] === 1 && Math.abs(d[i]!) === threshold) {
        m[i] = 0;
        budget--;
      }
  }
  applyMasks(model, masks);
  return { masks, threshold, pruned: count, total };
}
