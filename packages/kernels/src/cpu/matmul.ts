import type { FloatArray, MatmulArgs } from '../types.js';
import { gemm } from './gemm.js';

/** Batched matmul on the blocked gemm; transposes and broadcasts are just strides. */
export function matmulCpu(out: FloatArray, a: FloatArray, b: FloatArray, p: MatmulArgs): void {
  const { batch, m, k, n } = p;
  const sa = p.strideA ?? m * k;
  const sb = p.strideB ?? k * n;
  const acc = p.accumulate ?? false;
  const rsA = p.transA ? 1 : k;
  const csA = p.transA ? m : 1;
  const rsB = p.transB ? 1 : n;
  const csB = p.transB ? k : 1;
  // A stack of row-major A matrices times one shared B is a single tall product: pack B once.
  if (batch > 1 && sb === 0 && !p.transA && sa === m * k) {
    gemm(batch * m, n, k, a, 0, rsA, csA, b, 0, rsB, csB, out, 0, n, acc);
    return;
  }
  for (let bi = 0; bi < batch; bi++) {
    gemm(m, n, k, a, bi * sa, rsA, csA, b, bi * sb, rsB, csB, out, bi * m * n, n, acc);
  }
}
