/** Class-balanced labelled subsets for the semi-supervised protocol (1 % / 10 % of the training clips). */
import type { Rng } from '@asma/util';
import { FeatureInputError } from './features.js';

/**
 * Sorted indices of a class-balanced subset: from each class c present in `labels`, round(fraction * n_c)
 * clips (at least one) drawn uniformly without replacement with `rng`. Classes are visited in increasing
 * label order, so the same rng state gives the same subset.
 */
export function classBalancedSubset(labels: ArrayLike<number>, fraction: number, rng: Rng): Int32Array {
  if (!(fraction > 0 && fraction <= 1))
    throw new FeatureInputError(`classBalancedSubset: fraction must lie in (0, 1], got ${fraction}`);
  if (labels.length === 0) throw new FeatureInputError('classBalancedSubset: labels must not be empty');
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (!(Number.isInteger(l) && l >= 0))
      throw new FeatureInputError(
        `classBalancedSubset: labels[${i}] = ${l} is not a class index (integer >= 0)`,
      );
    const members = byClass.get(l);
    if (members === undefined) byClass.set(l, [i]);
    else members.push(i);
  }
  const picked: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = byClass.get(c)!;
    const k = Math.max(1, Math.round(fraction * members.length));
    // Partial Fisher-Yates: the first k slots end up a uniform sample without replacement.
    for (let i = 0; i < k; i++) {
      const j = i + rng.int(members.length - i);
      const tmp = members[i]!;
      members[i] = members[j]!;
      members[j] = tmp;
      picked.push(members[i]!);
    }
  }
  return Int32Array.from(picked).sort();
}
