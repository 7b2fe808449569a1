import {
  arbTensor,
  crossEntropy,
  gradCheck,
  klDiv,
  logSoftmax,
  mseLoss,
  nllLoss,
  oneHot,
  softmax,
  sum,
  tensor,
  zeros,
} from '@asma/autodiff';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

const RUNS = { numRuns: 25, seed: 7 };
const arbNC = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }));

describe('softmax and logSoftmax', () => {
  test('softmax sums to 1 along the axis, logSoftmax = log(softmax), both gradient-check', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 })
          .chain((s) =>
            fc.tuple(arbTensor(s, { lo: -5, hi: 5 }), fc.integer({ min: -s.length, max: s.length - 1 })),
          ),
        ([x, axis]) => {
          const p = softmax(x, axis);
          const s = sum(p, axis);
          for (const v of s.data) expect(v).toBeCloseTo(1, 12);
          const lp = logSoftmax(x, axis);
          for (let i = 0; i < x.size; i++) expect(lp.data[i]).toBeCloseTo(Math.log(p.data[i]!), 12);
          gradCheck((t) => softmax(t, axis), [x]);
          gradCheck((t) => logSoftmax(t, axis), [x]);
        },
      ),
      RUNS,
    );
  });

  test('stable for huge logits', () => {
    const p = softmax(tensor([1000, 1000, -1000]));
    expect(Array.from(p.data)).toEqual([0.5, 0.5, 0]);
    expect(logSoftmax(tensor([1000, 0])).data[1]).toBeCloseTo(-1000, 3);
  });
});

describe('crossEntropy and nllLoss', () => {
  test('crossEntropy of uniform logits is log C', () => {
    expect(crossEntropy(zeros([3, 7]), [0, 3, 6]).item()).toBeCloseTo(Math.log(7), 6);
  });

  test('equals mean NLL of logSoftmax (hand computation) and gradient-checks, with and without label smoothing', () => {
    fc.assert(
      fc.property(
        arbNC.chain(([n, c]) =>
          fc.tuple(
            arbTensor([n, c], { lo: -3, hi: 3 }),
            fc.array(fc.integer({ min: 0, max: c - 1 }), { minLength: n, maxLength: n }),
            fc.constantFrom(0, 0.1, 0.25),
            fc.constantFrom('mean' as const, 'sum' as const),
          ),
        ),
        ([x, labels, s, reduction]) => {
          const [n, c] = x.shape as [number, number];
          let total = 0;
          for (let i = 0; i < n; i++) {
            const row = Array.from(x.data.subarray(i * c, (i + 1) * c));
            const mx = Math.max(...row);
            const lse = mx + Math.log(row.reduce((p, v) => p + Math.exp(v - mx), 0));
            const logp = row.map((v) => v - lse);
            total += (1 - s) * -logp[labels[i]!]! + (s / c) * -logp.reduce((p, v) => p + v, 0);
          }
          const expected = reduction === 'mean' ? total / n : total;
          const got = crossEntropy(x, labels, { labelSmoothing: s, reduction });
          expect(got.item()).toBeCloseTo(expected, 12);
          gradCheck((t) => crossEntropy(t, labels, { labelSmoothing: s, reduction }), [x]);
          gradCheck((t) => nllLoss(logSoftmax(t), labels, { reduction: 'none' }), [x]);
        },
      ),
      RUNS,
    );
  });

  test('bad labels name the op', () => {
    expect(() => crossEntropy(zeros([2, 3]), [0])).toThrow(
      'crossEntropy: input [2,3] has 2 rows but there are 1 labels',
    );
    expect(() => crossEntropy(zeros([2, 3]), [0, 3])).toThrow(
      /nllLoss: label 3 at position 1 is not in \[0, 3\)/,
    );
    expect(() => oneHot([0, 5], 3)).toThrow(/oneHot: label 5/);
  });
});

describe('klDiv (F.kl_div semantics) and mseLoss', () => {
  test('forward by hand and gradients to both input and target for every reduction', () => {
    fc.assert(
      fc.property(
        arbNC.chain(([n, c]) =>
          fc.tuple(
            arbTensor([n, c], { lo: -3, hi: 3 }),
            arbTensor([n, c], { lo: -3, hi: 3 }),
            fc.constantFrom('batchmean' as const, 'sum' as const, 'mean' as const, 'none' as const),
          ),
        ),
        ([a, b, reduction]) => {
          const input = logSoftmax(a, 1).detach();
          const target = softmax(b, 1).detach();
          const [n] = input.shape as [number, number];
          let total = 0;
          for (let i = 0; i < input.size; i++)
            total += target.data[i]! * (Math.log(target.data[i]!) - input.data[i]!);
          const got = klDiv(input, target, { reduction });
          const expected =
            reduction === 'batchmean' ? total / n : reduction === 'mean' ? total / input.size : total;
          if (reduction === 'none') expect(sum(got).item()).toBeCloseTo(total, 12);
          else expect(got.item()).toBeCloseTo(expected, 12);
          gradCheck((x, t) => klDiv(x!, t!, { reduction }), [input, target]);
          // The distillation use: both sides come from logits through (log-)softmax.
          gradCheck((s, t) => klDiv(logSoftmax(s!, 1), softmax(t!, 1), { reduction: 'batchmean' }), [a, b]);
        },
      ),
      RUNS,
    );
  });

  test('klDiv treats zero target probabilities as contributing 0', () => {
    const got = klDiv(tensor([[-1, -2]]), tensor([[0, 1]]), { reduction: 'sum' });
    expect(got.item()).toBeCloseTo(2, 6);
  });

  test('mseLoss forward and gradient', () => {
    fc.assert(
      fc.property(
        arbNC.chain(([n, c]) => fc.tuple(arbTensor([n, c]), arbTensor([n, c]))),
        ([a, b]) => {
          let s = 0;
          for (let i = 0; i < a.size; i++) s += (a.data[i]! - b.data[i]!) ** 2;
          expect(mseLoss(a, b).item()).toBeCloseTo(s / a.size, 12);
          gradCheck((x, y) => mseLoss(x!, y!), [a, b]);
        },
      ),
      RUNS,
    );
    expect(() => mseLoss(zeros([2]), zeros([3]))).toThrow('mseLoss: input [2] and target [3] differ');
  });

  test('oneHot', () => {
    expect(oneHot([2, 0], 3).toArray()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
    ]);
  });
});
