import type { Rng } from '@asma/util';

/**
 * Draw `k` distinct indices without replacement, each step choosing among the remaining indices
 * with probability proportional to `weights` (successive sampling). Zero-weight indices are never
 * drawn; the caller guarantees at least k positive weights. Returns the indices in draw order.
 */
export function weightedSampleWithoutReplacement(weights: ArrayLike<number>, k: number, rng: Rng): number[] {
  const w = Float64Array.from(weights);
  const out: number[] = [];
  for (let draw = 0; draw < k; draw++) {
    // Summed afresh each draw (O(n) like the scan) so no rounding drift accumulates.
    let total = 0;
    for (let i = 0; i < w.length; i++) total += w[i]!;
    let u = rng.next() * total;
    let pick = -1;
    for (let i = 0; i < w.length; i++) {
      if (w[i]! <= 0) continue;
      pick = i; // the last positive index absorbs rounding at the top end
      u -= w[i]!;
      if (u < 0) break;
    }
    out.push(pick);
    w[pick] = 0;
  }
  return out;
}

/**
 * Draw `k` items without replacement from a multiset in which index j appears `multiplicity[j]`
 * times (what Python's random.sample does on the expanded list) and return how many copies of each
 * index were drawn.
 */
export function multisetDraw(multiplicity: readonly number[], k: number, rng: Rng): Int32Array {
  const left = Int32Array.from(multiplicity);
  let total = multiplicity.reduce((a, b) => a + b, 0);
  const drawn = new Int32Array(multiplicity.length);
  for (let draw = 0; draw < k; draw++) {
    let u = rng.int(total);
    let j = 0;
    while (u >= left[j]!) u -= left[j++]!;
    left[j]!--;
    drawn[j]!++;
    total--;
  }
  return drawn;
}

/** k distinct indices of 0..n-1 uniformly at random (partial Fisher-Yates), in draw order. */
export function uniformSample(n: number, k: number, rng: Rng): number[] {
  const items = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items.slice(0, k);
}
