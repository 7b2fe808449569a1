/**
 * Graph aggregation as per-(n, k) gemms: y[n] (C*T x W) = sum_k x[n,k] (C*T x V) @ A_k (V x W).
 * The backward products are the same gemm with transposed strides.
 */
import type { FloatArray, GraphAggArgs } from '../types.js';
import { gemm } from './gemm.js';
import { reduceInParts } from './partition.js';

export function graphAggForwardCpu(y: FloatArray, x: FloatArray, a: FloatArray, p: GraphAggArgs): void {
  const ct = p.c * p.t;
  if (p.k === 0) y.fill(0, 0, p.n * ct * p.w);
  for (let ni = 0; ni < p.n; ni++)
    for (let ki = 0; ki < p.k; ki++) {
      const xo = (ni * p.k + ki) * ct * p.v;
      gemm(ct, p.w, p.v, x, xo, p.v, 1, a, ki * p.v * p.w, p.w, 1, y, ni * ct * p.w, p.w, ki > 0);
    }
}

export function graphAggBackwardInputCpu(
  dx: FloatArray,
  dy: FloatArray,
  a: FloatArray,
  p: GraphAggArgs,
): void {
  const ct = p.c * p.t;
  for (let ni = 0; ni < p.n; ni++)
    for (let ki = 0; ki < p.k; ki++) {
      // dx[n,k] (C*T x V) = dy[n] (C*T x W) @ A_k^T (W x V).
      const xo = (ni * p.k + ki) * ct * p.v;
      gemm(ct, p.v, p.w, dy, ni * ct * p.w, p.w, 1, a, ki * p.v * p.w, 1, p.w, dx, xo, p.v, false);
    }
}

/** dA (K, V, W) from samples [n0, n1) only (overwritten; zero for an empty range). */
export function graphAggBackwardAdjacencyRange(
  dA: FloatArray,
  dy: FloatArray,
  x: FloatArray,
  p: GraphAggArgs,
  n0: number,
  n1: number,
): void {
  const ct = p.c * p.t;
  if (n1 <= n0) dA.fill(0, 0, p.k * p.v * p.w);
  for (let ki = 0; ki < p.k; ki++)
    for (let ni = n0; ni < n1; ni++) {
      // dA_k (V x W) (+)= x[n,k]^T (V x C*T) @ dy[n] (C*T x W).
      const xo = (ni * p.k + ki) * ct * p.v;
      gemm(p.v, p.w, ct, x, xo, 1, p.v, dy, ni * ct * p.w, p.w, 1, dA, ki * p.v * p.w, p.w, ni > n0);
    }
}

/** The batch reduction in fixed parts (partition.ts): identical on one thread and on many. */
export function graphAggBackwardAdjacencyCpu(
  dA: FloatArray,
  dy: FloatArray,
  x: FloatArray,
  p: GraphAggArgs,
): void {
  reduceInParts(p.n, [dA], (outs, n0, n1) => graphAggBackwardAdjacencyRange(outs[0]!, dy, x, p, n0, n1));
}
