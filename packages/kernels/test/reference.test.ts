/** Hand-computed cases, so the reference that every backend is checked against is itself right. */
import {
  graphAggBackwardAdjacencyReference,
  graphAggBackwardInputReference,
  graphAggForwardReference,
  matmulReference,
  tconvBackwardInputReference,
  tconvBackwardWeightReference,
  tconvForwardReference,
  tconvOutLength,
} from '@asma/kernels';
import { describe, expect, it } from 'vitest';

describe('reference kernels (hand-computed)', () => {
  it('matmul: 2x3 @ 3x2, transposed operands and accumulate', () => {
    const a = Float64Array.of(1, 2, 3, 4, 5, 6);
    const b = Float64Array.of(7, 8, 9, 10, 11, 12);
    const out = new Float64Array(4);
    matmulReference(out, a, b, { batch: 1, m: 2, k: 3, n: 2 });
    // [1 2 3; 4 5 6] @ [7 8; 9 10; 11 12] = [58 64; 139 154]
    expect([...out]).toEqual([58, 64, 139, 154]);
    const aT = Float64Array.of(1, 4, 2, 5, 3, 6); // (3, 2) storage of A
    const bT = Float64Array.of(7, 9, 11, 8, 10, 12); // (2, 3) storage of B
    matmulReference(out, aT, bT, {
      batch: 1,
      m: 2,
      k: 3,
      n: 2,
      transA: true,
      transB: true,
      accumulate: true,
    });
    expect([...out]).toEqual([116, 128, 278, 308]);
  });

  it('matmul: strideB 0 broadcasts one B over the batch', () => {
    const a = Float64Array.of(1, 0, 0, 1, 2, 0, 0, 2); // I and 2I
    const b = Float64Array.of(1, 2, 3, 4);
    const out = new Float64Array(8);
    matmulReference(out, a, b, { batch: 2, m: 2, k: 2, n: 2, strideB: 0 });
    expect([...out]).toEqual([1, 2, 3, 4, 2, 4, 6, 8]);
  });

  it('tconv forward: kernel [1, 2, 3] with pad 1 and bias, then stride 2', () => {
    const p = { n: 1, cin: 1, cout: 1, t: 4, v: 1, kt: 3, stride: 1, pad: 1 };
    const x = Float64Array.of(1, 2, 3, 4);
    const w = Float64Array.of(1, 2, 3);
    const out = new Float64Array(tconvOutLength(p));
    tconvForwardReference(out, x, w, Float64Array.of(10), p);
    // y[t] = x[t-1] + 2 x[t] + 3 x[t+1] + 10 (zero outside)
    expect([...out]).toEqual([18, 24, 30, 21]);
    const p2 = { ...p, stride: 2 };
    const out2 = new Float64Array(tconvOutLength(p2));
    tconvForwardReference(out2, x, w, null, p2);
    expect([...out2]).toEqual([8, 20]);
  });

  it('tconv backward: dx is the transposed kernel, dw the correlation of dy with x', () => {
    const p = { n: 1, cin: 1, cout: 1, t: 4, v: 1, kt: 3, stride: 1, pad: 1 };
    const w = Float64Array.of(1, 2, 3);
    const dy = Float64Array.of(1, 0, 0, 1);
    const dx = new Float64Array(4);
    tconvBackwardInputReference(dx, dy, w, p);
    // dx[s] = sum_t dy[t] w[s - t + 1]
    expect([...dx]).toEqual([2, 3, 1, 2]);
    const x = Float64Array.of(1, 2, 3, 4);
    const dw = new Float64Array(3);
    const db = new Float64Array(1);
    tconvBackwardWeightReference(dw, db, dy, x, p);
    // dw[q] = sum_t dy[t] x[t + q - 1]
    expect([...dw]).toEqual([3, 5, 2]);
    expect([...db]).toEqual([2]);
  });

  it('graph aggregation with the identity adjacency sums the K subsets', () => {
    const p = { n: 1, k: 2, c: 1, t: 1, v: 3, w: 3 };
    const eye = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
    const a = new Float64Array(18);
    a.set(eye, 0);
    a.set(eye, 9);
    const x = Float64Array.of(1, 2, 3, 10, 20, 30);
    const y = new Float64Array(3);
    graphAggForwardReference(y, x, a, p);
    expect([...y]).toEqual([11, 22, 33]);
    const dx = new Float64Array(6);
    graphAggBackwardInputReference(dx, Float64Array.of(1, 2, 3), a, p);
    expect([...dx]).toEqual([1, 2, 3, 1, 2, 3]);
    const dA = new Float64Array(18);
    graphAggBackwardAdjacencyReference(dA, Float64Array.of(1, 1, 0), x, p);
    // dA[k, v, w] = x[k, v] dy[w]
    expect([...dA]).toEqual([1, 1, 0, 2, 2, 0, 3, 3, 0, 10, 10, 0, 20, 20, 0, 30, 30, 0]);
  });
});
