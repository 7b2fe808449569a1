import type { SkeletonLayout } from './layout.js';

/**
 * Graph construction as in the reference ST-GCN code (net/utils/graph.py), which every public
 * pretrained ST-GCN (SkeletonCLR, AimCLR, PSTL) was built with.
 */

/** Adjacency stack: K matrices of V x V, C order, A[k][j][i] = weight of the edge j -> i. */
export interface Adjacency {
  data: Float32Array;
  shape: [k: number, v: number, v: number];
}

export type PartitionStrategy = 'uniform' | 'distance' | 'spatial' | 'spatial-tree';

export interface AdjacencyOptions {
  /** Largest hop kept in the adjacency (ST-GCN default 1). */
  maxHop?: number;
  /** Step between kept hops (ST-GCN default 1). */
  dilation?: number;
}

/**
 * Hop distances (V x V, row-major) over the bones plus self links, computed only up to `maxHop`:
 * pairs further apart are Infinity, exactly like ST-GCN's get_hop_distance (which takes matrix
 * powers up to max_hop). Pass `maxHop = Infinity` for true graph distances.
 */
export function hopDistance(
  numJoints: number,
  bones: readonly (readonly [number, number])[],
  maxHop = 1,
): Float64Array {
  const neighbours: number[][] = Array.from({ length: numJoints }, () => []);
  for (const [a, b] of bones) {
    if (a < 0 || b < 0 || a >= numJoints || b >= numJoints) {
      throw new RangeError(`hopDistance: bone (${a}, ${b}) is outside 0..${numJoints - 1}`);
    }
    neighbours[a]!.push(b);
    neighbours[b]!.push(a);
  }
  const hop = new Float64Array(numJoints * numJoints).fill(Number.POSITIVE_INFINITY);
  for (let s = 0; s < numJoints; s++) {
    hop[s * numJoints + s] = 0;
    let frontier = [s];
    for (let d = 1; d <= maxHop && frontier.length > 0; d++) {
      const next: number[] = [];
      for (const u of frontier) {
        for (const w of neighbours[u]!) {
          if (hop[s * numJoints + w] === Number.POSITIVE_INFINITY) {
            hop[s * numJoints + w] = d;
            next.push(w);
          }
        }
      }
      frontier = next;
    }
  }
  return hop;
}

/** Column normalisation: AD[j][i] = A[j][i] / sum_j' A[j'][i] (columns summing to 0 stay 0). */
export function normalizeDigraph(a: Float64Array, v: number): Float64Array {
  const out = new Float64Array(v * v);
  for (let i = 0; i < v; i++) {
    let sum = 0;
    for (let j = 0; j < v; j++) sum += a[j * v + i]!;
    if (sum > 0) for (let j = 0; j < v; j++) out[j * v + i] = a[j * v + i]! / sum;
  }
  return out;
}

/**
 * ST-GCN adjacency for a layout and partition strategy, shape (K, V, V):
 * - 'uniform': K = 1, the normalised adjacency;
 * - 'distance': one matrix per kept hop (K = 2 for maxHop 1);
 * - 'spatial': K = 3 (root, centripetal, centrifugal) with ST-GCN's quirk: distances to the centre
 *   are only known up to maxHop, so joints further away are "infinitely" far and compare equal
 *   (NTU-25: 25 / 40 / 8 non-zeros). This is what pretrained PyTorch models use;
 * - 'spatial-tree': the same rule with true tree distances to the centre (25 / 24 / 24 on NTU-25).
 * Computed in float64 like NumPy, then rounded to float32.
 */
export function adjacency(
  layout: SkeletonLayout,
  strategy: PartitionStrategy = 'spatial',
  options: AdjacencyOptions = {},
): Adjacency {
  const maxHop = options.maxHop ?? 1;
  const dilation = options.dilation ?? 1;
  if (!Number.isInteger(maxHop) || maxHop < 0)
    throw new RangeError(`adjacency: maxHop must be an integer >= 0, got ${maxHop}`);
  if (!Number.isInteger(dilation) || dilation < 1)
    throw new RangeError(`adjacency: dilation must be an integer >= 1, got ${dilation}`);
  const v = layout.numJoints;
  const hop = hopDistance(v, layout.bones, maxHop);
  const validHops: number[] = [];
  for (let h = 0; h <= maxHop; h += dilation) validHops.push(h);
  const adj = new Float64Array(v * v);
  for (let e = 0; e < v * v; e++) if (validHops.includes(hop[e]!)) adj[e] = 1;
  const norm = normalizeDigraph(adj, v);

  const mats: Float64Array[] = [];
  if (strategy === 'uniform') {
    mats.push(norm);
  } else if (strategy === 'distance') {
    for (const h of validHops) {
      const m = new Float64Array(v * v);
      for (let e = 0; e < v * v; e++) if (hop[e] === h) m[e] = norm[e]!;
      mats.push(m);
    }
  } else if (strategy === 'spatial' || strategy === 'spatial-tree') {
    const centreHop = strategy === 'spatial' ? hop : hopDistance(v, layout.bones, Number.POSITIVE_INFINITY);
    const c = layout.center;
    for (const h of validHops) {
      const root = new Float64Array(v * v);
      const close = new Float64Array(v * v);
      const further = new Float64Array(v * v);
      for (let i = 0; i < v; i++) {
        for (let j = 0; j < v; j++) {
          if (hop[j * v + i] !== h) continue;
          const dj = centreHop[j * v + c]!;
          const di = centreHop[i * v + c]!;
          // Infinity === Infinity, as NumPy's inf == inf: the source of the quirk.
          if (dj === di) root[j * v + i] = norm[j * v + i]!;
          else if (dj > di) close[j * v + i] = norm[j * v + i]!;
          else further[j * v + i] = norm[j * v + i]!;
        }
      }
      if (h === 0) {
        mats.push(root);
      } else {
        for (let e = 0; e < v * v; e++) root[e]! += close[e]!;
        mats.push(root, further);
      }
    }
  } else {
    throw new RangeError(
      `adjacency: unknown strategy '${String(strategy)}' (expected uniform, distance, spatial or spatial-tree)`,
    );
  }
  const data = new Float32Array(mats.length * v * v);
  for (let k = 0; k < mats.length; k++) data.set(mats[k]!, k * v * v);
  return { data, shape: [mats.length, v, v] };
}

/** A[:, kept][:, :, kept]: the graph restricted to the kept joints, in the given order. */
export function subAdjacency(a: Adjacency, kept: readonly number[]): Adjacency {
  const [k, v] = a.shape;
  for (const j of kept) {
    if (!Number.isInteger(j) || j < 0 || j >= v)
      throw new RangeError(`subAdjacency: joint ${j} is outside 0..${v - 1}`);
  }
  const r = kept.length;
  const data = new Float32Array(k * r * r);
  for (let p = 0; p < k; p++) {
    for (let a1 = 0; a1 < r; a1++) {
      const src = p * v * v + kept[a1]! * v;
      const dst = p * r * r + a1 * r;
      for (let b1 = 0; b1 < r; b1++) data[dst + b1] = a.data[src + kept[b1]!]!;
    }
  }
  return { data, shape: [k, r, r] };
}
