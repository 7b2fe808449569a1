import {
  arbTensor,
  batchNorm,
  dropout,
  gradCheck,
  layerNorm,
  mean,
  ones,
  randn,
  type Tensor,
  tensor,
  variance,
  zeros,
} from '@asma/autodiff';
import { Rng } from '@asma/util';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

const RUNS = { numRuns: 20, seed: 6 };
const f64 = { dtype: 'float64' as const };

/** (N, C), (N, C, L) or (N, C, H, W) with at least 2 values per channel. */
const arbBnShape = fc
  .tuple(
    fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: 1, max: 3 }),
    fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
  )
  .map(([n, c, rest]) => [n, c, ...rest])
  .filter((s) => s.reduce((p, q) => p * q, 1) / s[1]! > 1);

describe('batchNorm', () => {
  test('training output has zero mean and unit (biased) variance per channel; gradient checks x, weight, bias', () => {
    fc.assert(
      fc.property(
        arbBnShape.chain((s) => fc.tuple(arbTensor(s), arbTensor([s[1]!]), arbTensor([s[1]!]))),
        ([x, w, b]) => {
          const c = x.shape[1]!;
          const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
          // With eps = 0 a constant channel is 0/0, as in PyTorch; such draws are skipped.
          fc.pre(Array.from(variance(x, axes, { unbiased: false }).data).every((v) => v > 1e-4));
          const y = batchNorm(x, null, null, null, null, { eps: 0 });
          const m = mean(y, axes);
          const v = variance(y, axes, { unbiased: false });
          for (let i = 0; i < c; i++) {
            expect(m.data[i]).toBeCloseTo(0, 9);
            expect(v.data[i]).toBeCloseTo(1, 9);
          }
          gradCheck((xx, ww, bb) => batchNorm(xx!, null, null, ww!, bb!, { eps: 1e-3 }), [x, w, b], {
            rtol: 1e-5,
          });
        },
      ),
      RUNS,
    );
  });

  test('running statistics update like PyTorch (unbiased variance, momentum 0.1) and eval mode uses them', () => {
    const rng = new Rng(1);
    const x = randn([4, 3, 5], rng, f64);
    const rm = zeros([3], f64);
    const rv = ones([3], f64);
    batchNorm(x, rm, rv, null, null, { training: true });
    const bm = mean(x, [0, 2]);
    const bv = variance(x, [0, 2], { unbiased: true });
    for (let i = 0; i < 3; i++) {
      expect(rm.data[i]).toBeCloseTo(0.1 * bm.data[i]!, 14);
      expect(rv.data[i]).toBeCloseTo(0.9 + 0.1 * bv.data[i]!, 14);
    }
    const w = tensor([1, 2, 3], undefined, f64);
    const b = tensor([0.5, 0, -1], undefined, f64);
    const y = batchNorm(x, rm, rv, w, b, { training: false, eps: 1e-5 });
    for (let i = 0; i < x.size; i++) {
      const ch = Math.floor(i / 5) % 3;
      const expected =
        ((x.data[i]! - rm.data[ch]!) / Math.sqrt(rv.data[ch]! + 1e-5)) * w.data[ch]! + b.data[ch]!;
      expect(y.data[i]).toBeCloseTo(expected, 12);
    }
    gradCheck((xx, ww, bb) => batchNorm(xx!, rm, rv, ww!, bb!, { training: false }), [x, w, b]);
  });

  test('errors name the op and shapes', () => {
    const x = zeros([2, 3, 4]);
    expect(() => batchNorm(x, zeros([4]), ones([4]))).toThrow(
      'batchNorm: runningMean must have shape [3] for input [2,3,4], got [4]',
    );
    expect(() => batchNorm(zeros([1, 3]), null, null)).toThrow(/more than 1 value per channel/);
    expect(() => batchNorm(x, null, null, null, null, { training: false })).toThrow(/eval mode needs/);
  });
});

describe('layerNorm', () => {
  test('normalises trailing dims and gradient-checks x, weight, bias', () => {
    fc.assert(
      fc.property(
        fc
          .tuple(
            fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
            fc.integer({ min: 1, max: 2 }),
          )
          .filter(([s, k]) => k <= s.length && s.slice(s.length - k).reduce((p, q) => p * q, 1) > 1)
          .chain(([s, k]) =>
            fc.tuple(
              arbTensor(s),
              fc.constant(s.slice(s.length - k)),
              arbTensor(s.slice(s.length - k)),
              arbTensor(s.slice(s.length - k)),
            ),
          ),
        ([x, ns, w, b]) => {
          const axes = ns.map((_, i) => x.ndim - ns.length + i);
          fc.pre(Array.from(variance(x, axes, { unbiased: false }).data).every((v) => v > 1e-4));
          const y = layerNorm(x, ns, null, null, { eps: 0 });
          const v = variance(y, axes, { unbiased: false });
          for (let i = 0; i < v.size; i++) expect(v.data[i]).toBeCloseTo(1, 9);
          const m = mean(y, axes);
          for (let i = 0; i < m.size; i++) expect(m.data[i]).toBeCloseTo(0, 9);
          gradCheck((xx, ww, bb) => layerNorm(xx!, ns, ww!, bb!, { eps: 1e-3 }), [x, w, b], { rtol: 1e-5 });
        },
      ),
      RUNS,
    );
  });

  test('errors name the op and shapes', () => {
    expect(() => layerNorm(zeros([2, 3]), [2])).toThrow(
      'layerNorm: normalizedShape [2] is not the trailing shape of input [2,3]',
    );
  });
});

describe('dropout', () => {
  test('keeps about 1-p of the elements, scales by 1/(1-p), is deterministic per seed and identity in eval', () => {
    const x = ones([100, 100]);
    const p = 0.3;
    const y1 = dropout(x, p, new Rng(7));
    const y2 = dropout(x, p, new Rng(7));
    expect(Array.from(y1.data)).toEqual(Array.from(y2.data));
    let kept = 0;
    for (const v of y1.data) {
      if (v !== 0) {
        kept++;
        expect(v).toBeCloseTo(1 / 0.7, 6);
      }
    }
    // 10,000 Bernoulli(0.7) draws: std 0.0046, so +-0.02 is over 4 sigma.
    expect(Math.abs(kept / 10000 - 0.7)).toBeLessThan(0.02);
    expect(dropout(x, p, new Rng(7), false)).toBe(x);
    expect(Array.from(dropout(x, 1, new Rng(7)).data).every((v) => v === 0)).toBe(true);
  });

  test('gradient flows through kept elements only', () => {
    const x = randn([4, 5], new Rng(3), f64);
    gradCheck((t: Tensor) => dropout(t, 0.5, new Rng(11)), [x]);
    expect(() => dropout(x, 1.5, new Rng(1))).toThrow(/dropout: p must be in \[0, 1\]/);
  });
});
