/**
 * Plain, obviously-correct kernels: the oracle every fast backend is tested against.
 * Accumulates in float64 so that the reference is more accurate than what it checks.
 */
import type { FloatArray, GraphAggArgs, KernelBackend, MatmulArgs, TconvArgs } from '../types.js';
import { tconvOutLength } from '../types.js';
import { cpuBackend } from './backend.js';

export function matmulReference(out: FloatArray, a: FloatArray, b: FloatArray, p: MatmulArgs): void {
  const { batch, m, k, n } = p;
  const sa = p.strideA ?? m * k;
  const sb = p.strideB ?? k * n;
  for (let bi = 0; bi < batch; bi++) {
    const oa = bi * sa;
    const ob = bi * sb;
    const oo = bi * m * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) {
          const av = p.transA ? a[oa + q * m + i]! : a[oa + i * k + q]!;
          const bv = p.transB ? b[ob + j * k + q]! : b[ob + q * n + j]!;
          s += av * bv;
        }
        out[oo + i * n + j] = p.accumulate ? out[oo + i * n + j]! + s : s;
      }
    }
  }
}

export function tconvForwardReference(
  out: FloatArray,
  x: FloatArray,
  w: FloatArray,
  bias: FloatArray | null,
  p: TconvArgs,
): void {
  const to = tconvOutLength(p);
  for (let ni = 0; ni < p.n; ni++)
    for (let co = 0; co < p.cout; co++)
      for (let t = 0; t < to; t++)
        for (let v = 0; v < p.v; v++) {
          let s = bias ? bias[co]! : 0;
          for (let ci = 0; ci < p.cin; ci++)
            for (let q = 0; q < p.kt; q++) {
              const ti = t * p.stride - p.pad + q;
              if (ti < 0 || ti >= p.t) continue;
              s += w[(co * p.cin + ci) * p.kt + q]! * x[((ni * p.cin + ci) * p.t + ti) * p.v + v]!;
            }
          out[((ni * p.cout + co) * to + t) * p.v + v] = s;
        }
}

export function tconvBackwardInputReference(
  dx: FloatArray,
  dy: FloatArray,
  w: FloatArray,
  p: TconvArgs,
): void {
  const to = tconvOutLength(p);
  const acc = new Float64Array(p.n * p.cin * p.t * p.v);
  for (let ni = 0; ni < p.n; ni++)
    for (let co = 0; co < p.cout; co++)
      for (let t = 0; t < to; t++)
        for (let v = 0; v < p.v; v++) {
          const g = dy[((ni * p.cout + co) * to + t) * p.v + v]!;
          for (let ci = 0; ci < p.cin; ci++)
            for (let q = 0; q < p.kt; q++) {
              const ti = t * p.stride - p.pad + q;
              if (ti < 0 || ti >= p.t) continue;
              acc[((ni * p.cin + ci) * p.t + ti) * p.v + v]! += g * w[(co * p.cin + ci) * p.kt + q]!;
            }
        }
  dx.set(acc);
}

export function tconvBackwardWeightReference(
  dw: FloatArray,
  dbias: FloatArray | null,
  dy: FloatArray,
  x: FloatArray,
  p: TconvArgs,
): void {
  const to = tconvOutLength(p);
  const accW = new Float64Array(p.cout * p.cin * p.kt);
  const accB = new Float64Array(p.cout);
  for (let ni = 0; ni < p.n; ni++)
    for (let co = 0; co < p.cout; co++)
      for (let t = 0; t < to; t++)
        for (let v = 0; v < p.v; v++) {
          const g = dy[((ni * p.cout + co) * to + t) * p.v + v]!;
          accB[co]! += g;
          for (let ci = 0; ci < p.cin; ci++)
            for (let q = 0; q < p.kt; q++) {
              const ti = t * p.stride - p.pad + q;
              if (ti < 0 || ti >= p.t) continue;
              accW[(co * p.cin + ci) * p.kt + q]! += g * x[((ni * p.cin + ci) * p.t + ti) * p.v + v]!;
            }
        }
  dw.set(accW);
  if (dbias) dbias.set(accB);
}

export function graphAggForwardReference(y: FloatArray, x: FloatArray, a: FloatArray, p: GraphAggArgs): void {
  const ct = p.c * p.t;
  for (let ni = 0; ni < p.n; ni++)
    for (let r = 0; r < ct; r++)
      for (let wi = 0; wi < p.w; wi++) {
        let s = 0;
        for (let ki = 0; ki < p.k; ki++)
          for (let vi = 0; vi < p.v; vi++)
            s += x[((ni * p.k + ki) * ct + r) * p.v + vi]! * a[(ki * p.v + vi) * p.w + wi]!;
        y[(ni * ct + r) * p.w + wi] = s;
      }
}

export function graphAggBackwardInputReference(
  dx: FloatArray,
  dy: FloatArray,
  a: FloatArray,
  p: GraphAggArgs,
): void {
  const ct = p.c * p.t;
  for (let ni = 0; ni < p.n; ni++)
    for (let ki = 0; ki < p.k; ki++)
      for (let r = 0; r < ct; r++)
        for (let vi = 0; vi < p.v; vi++) {
          let s = 0;
          for (let wi = 0; wi < p.w; wi++)
            s += dy[(ni * ct + r) * p.w + wi]! * a[(ki * p.v + vi) * p.w + wi]!;
          dx[((ni * p.k + ki) * ct + r) * p.v + vi] = s;
        }
}

export function graphAggBackwardAdjacencyReference(
  dA: FloatArray,
  dy: FloatArray,
  x: FloatArray,
  p: GraphAggArgs,
): void {
  const ct = p.c * p.t;
  for (let ki = 0; ki < p.k; ki++)
    for (let vi = 0; vi < p.v; vi++)
      for (let wi = 0; wi < p.w; wi++) {
        let s = 0;
        for (let ni = 0; ni < p.n; ni++)
          for (let r = 0; r < ct; r++)
            s += x[((ni * p.k + ki) * ct + r) * p.v + vi]! * dy[(ni * ct + r) * p.w + wi]!;
        dA[(ki * p.v + vi) * p.w + wi] = s;
      }
}

/** The reference kernels as a backend: slow, used as the oracle and as a fallback while developing. */
export const referenceBackend: KernelBackend<FloatArray> = {
  ...cpuBackend,
  name: 'cpu-reference',
  matmul: matmulReference,
  tconvForward: tconvForwardReference,
  tconvBackwardInput: tconvBackwardInputReference,
  tconvBackwardWeight: tconvBackwardWeightReference,
  graphAggForward: graphAggForwardReference,
  graphAggBackwardInput: graphAggBackwardInputReference,
  graphAggBackwardAdjacency: graphAggBackwardAdjacencyReference,
};
