import { add, arbTensor, gradCheck, linear, matmul, tensor, transpose } from '@asma/autodiff';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

const RUNS = { numRuns: 40, seed: 4 };
const dim = fc.integer({ min: 1, max: 4 });

/** Operand shapes for torch.matmul: 1-D or matrices with broadcastable batch dims. */
const arbMatmulShapes = fc
  .tuple(
    dim,
    dim,
    dim,
    fc.array(dim, { maxLength: 2 }),
    fc.integer({ min: 0, max: 8 }),
    fc.integer({ min: 0, max: 2 }),
  )
  .map(([m, k, n, batch, mode, drop]) => {
    const aBatch = batch.map((d, i) => ((mode >> i) & 1 ? 1 : d));
    const bBatch = batch.map((d, i) => ((mode >> (i + 2)) & 1 ? 1 : d)).slice(Math.min(drop, batch.length));
    const a = mode === 7 ? [k] : [...aBatch, m, k];
    const b = mode === 8 ? [k] : [...bBatch, k, n];
    return [a, b] as [number[], number[]];
  });

/** Plain reference: explicit loops over the broadcast batch. */
function reference(
  aShape: number[],
  a: Float64Array,
  bShape: number[],
  b: Float64Array,
): { shape: number[]; data: number[] } {
  const as = aShape.length === 1 ? [1, aShape[0]!] : aShape;
  const bs = bShape.length === 1 ? [bShape[0]!, 1] : bShape;
  const [m, k] = as.slice(-2) as [number, number];
  const n = bs[bs.length - 1]!;
  const ab = as.slice(0, -2);
  const bb = bs.slice(0, -2);
  const nd = Math.max(ab.length, bb.length);
  const pa = [...Array(nd - ab.length).fill(1), ...ab];
  const pb = [...Array(nd - bb.length).fill(1), ...bb];
  const batch = pa.map((d, i) => Math.max(d, pb[i]!));
  const total = batch.reduce((p, q) => p * q, 1);
  const data: number[] = [];
  for (let t = 0; t < total; t++) {
    let r = t;
    let ia = 0;
    let ib = 0;
    const idx = new Array(nd);
    for (let d = nd - 1; d >= 0; d--) {
      idx[d] = r % batch[d]!;
      r = Math.floor(r / batch[d]!);
    }
    for (let d = 0; d < nd; d++) {
      ia = ia * pa[d]! + (pa[d] === 1 ? 0 : idx[d]);
      ib = ib * pb[d]! + (pb[d] === 1 ? 0 : idx[d]);
    }
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) s += a[ia * m * k + i * k + q]! * b[ib * k * n + q * n + j]!;
        data.push(s);
      }
  }
  const shape = [...batch];
  if (aShape.length > 1) shape.push(m);
  if (bShape.length > 1) shape.push(n);
  return { shape, data };
}

describe('matmul', () => {
  test('matches a loop reference for 1-D, 2-D and broadcast-batched operands, and gradient-checks', () => {
    fc.assert(
      fc.property(
        arbMatmulShapes.chain(([sa, sb]) => fc.tuple(arbTensor(sa), arbTensor(sb))),
        ([a, b]) => {
          const y = matmul(a, b);
          const ref = reference([...a.shape], a.data as Float64Array, [...b.shape], b.data as Float64Array);
          expect(y.shape).toEqual(ref.shape);
          for (let i = 0; i < y.size; i++) expect(y.data[i]).toBeCloseTo(ref.data[i]!, 12);
          gradCheck(matmul, [a, b]);
        },
      ),
      RUNS,
    );
  });

  test('2-D @ 3-D broadcasts the matrix over the batch (PyTorch semantics)', () => {
    const a = tensor([
      [1, 2],
      [3, 4],
    ]);
    const b = tensor([1, 0, 0, 1, 2, 0, 0, 2], [2, 2, 2]);
    const y = matmul(a, b);
    expect(y.shape).toEqual([2, 2, 2]);
    expect(Array.from(y.data)).toEqual([1, 2, 3, 4, 2, 4, 6, 8]);
  });

  test('shape errors name the op and both shapes', () => {
    expect(() => matmul(tensor([1, 2, 3, 4, 5, 6], [2, 3]), tensor(new Float32Array(20), [4, 5]))).toThrow(
      'matmul: cannot multiply [2,3] by [4,5]: inner dimensions 3 and 4 differ',
    );
    expect(() =>
      matmul(tensor(new Float32Array(12), [2, 3, 2]), tensor(new Float32Array(12), [3, 2, 2])),
    ).toThrow(/matmul: cannot multiply \[2,3,2\] by \[3,2,2\]: batch dimensions do not broadcast/);
  });
});

describe('linear', () => {
  test('equals matmul(x, W^T) + b for any leading dims, and gradient-checks x, W, b', () => {
    fc.assert(
      fc.property(
        fc
          .tuple(fc.array(dim, { minLength: 1, maxLength: 3 }), dim, dim, fc.boolean())
          .chain(([lead, inF, outF, withBias]) =>
            fc.tuple(
              arbTensor([...lead, inF]),
              arbTensor([outF, inF]),
              withBias ? arbTensor([outF]) : fc.constant(null),
            ),
          ),
        ([x, w, b]) => {
          const y = linear(x, w, b);
          const ref = matmul(x, transpose(w));
          const full = b ? add(ref, b) : ref;
          expect(y.shape).toEqual(full.shape);
          for (let i = 0; i < y.size; i++) expect(y.data[i]).toBeCloseTo(full.data[i]!, 12);
          if (b) gradCheck((xx, ww, bb) => linear(xx!, ww!, bb!), [x, w, b]);
          else gradCheck((xx, ww) => linear(xx!, ww!), [x, w]);
        },
      ),
      RUNS,
    );
    expect(() => linear(tensor(new Float32Array(6), [2, 3]), tensor(new Float32Array(8), [2, 4]))).toThrow(
      'linear: input [2,3] does not end in 4 features as weight [2,4] expects',
    );
  });
});
