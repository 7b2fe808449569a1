import { Rng } from '@asma/util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { embeddingDiagnostics, symmetricEigenvalues } from '../src/eval/diagnostics.js';
import { FeatureInputError } from '../src/eval/features.js';

/** det(A - lambda I) by Gaussian elimination with partial pivoting. */
function shiftedDet(a: ArrayLike<number>, n: number, lambda: number): number {
  const m = Float64Array.from(a);
  for (let i = 0; i < n; i++) m[i * n + i]! -= lambda;
  let det = 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]!) > Math.abs(m[p * n + c]!)) p = r;
    if (m[p * n + c] === 0) return 0;
    if (p !== c) {
      for (let k = 0; k < n; k++) [m[c * n + k], m[p * n + k]] = [m[p * n + k]!, m[c * n + k]!];
      det = -det;
    }
    det *= m[c * n + c]!;
    for (let r = c + 1; r < n; r++) {
      const f = m[r * n + c]! / m[c * n + c]!;
      for (let k = c; k < n; k++) m[r * n + k]! -= f * m[c * n + k]!;
    }
  }
  return det;
}

describe('symmetricEigenvalues', () => {
  it('are roots of the characteristic polynomial, with the trace and Frobenius norm of the matrix', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 1e6 }), (n, seed) => {
        const rng = new Rng(seed);
        const a = new Float64Array(n * n);
        for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = rng.normal();
        const ev = symmetricEigenvalues(a, n);
        let trace = 0;
        let frob = 0;
        for (let i = 0; i < n; i++) trace += a[i * n + i]!;
        for (const v of a) frob += v * v;
        expect(ev.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 8);
        expect(ev.reduce((s, v) => s + v * v, 0)).toBeCloseTo(frob, 8);
        // A nudged eigenvalue changes det(A - lambda I) far more than the rounding at the eigenvalue does.
        for (const l of ev) {
          const at = Math.abs(shiftedDet(a, n, l));
          const off = Math.max(Math.abs(shiftedDet(a, n, l + 1e-3)), Math.abs(shiftedDet(a, n, l - 1e-3)));
          expect(at).toBeLessThan(off * 1e-3 + 1e-12);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('embeddingDiagnostics', () => {
  it('rows on one line: effective rank 1, all the variance on the top direction, dead dimensions named', () => {
    const rows = 50;
    const dim = 4;
    const f = new Float32Array(rows * dim);
    for (let i = 0; i < rows; i++) {
      f[i * dim] = i;
      f[i * dim + 1] = -2 * i;
      f[i * dim + 2] = 3; // constant: a dead dimension
      f[i * dim + 3] = 0.5 * i;
    }
    const d = embeddingDiagnostics(f, rows, dim);
    expect(d.effectiveRank).toBeCloseTo(1, 6);
    expect(d.correlationRank).toBeCloseTo(1, 6);
    expect(d.topShare).toBeCloseTo(1, 6);
    expect(d.minStd).toBe(0);
    expect(d.std[1]).toBeCloseTo(2 * d.std[0]!, 6);
  });

  it('isotropic rows: effective rank near the width', () => {
    const rng = new Rng(3);
    const rows = 4000;
    const dim = 8;
    const f = Float32Array.from({ length: rows * dim }, () => rng.normal());
    const d = embeddingDiagnostics(f, rows, dim);
    expect(d.effectiveRank).toBeGreaterThan(7.9);
    expect(d.topShare).toBeLessThan(0.15);
    expect(d.meanStd).toBeCloseTo(1, 1);
  });

  it('one loud dimension: a low effective rank but a full correlation rank (scale, not collapse)', () => {
    const rng = new Rng(4);
    const rows = 4000;
    const dim = 4;
    const f = Float32Array.from({ length: rows * dim }, (_, i) => rng.normal() * (i % dim === 0 ? 100 : 1));
    const d = embeddingDiagnostics(f, rows, dim);
    expect(d.effectiveRank).toBeLessThan(1.01);
    expect(d.correlationRank).toBeGreaterThan(3.95);
  });

  it('names bad input', () => {
    expect(() => embeddingDiagnostics(new Float32Array(5), 2, 3)).toThrow(FeatureInputError);
    expect(() => embeddingDiagnostics(new Float32Array([1, Number.NaN]), 2, 1)).toThrow(/non-finite/);
    expect(() => embeddingDiagnostics(new Float32Array(3), 1, 3)).toThrow(/at least 2 rows/);
  });
});
