import {
  arbAxes,
  arbShape,
  arbTensor,
  argmax,
  gradCheck,
  max,
  mean,
  min,
  sum,
  type Tensor,
  tensor,
  variance,
} from '@asma/autodiff';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

const RUNS = { numRuns: 30, seed: 2 };

/** Reference reduction: group input elements by their index with reduced axes zeroed. */
function groups(a: Tensor, axes: number[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const idx = new Array(a.ndim).fill(0);
  for (let i = 0; i < a.size; i++) {
    let r = i;
    for (let d = a.ndim - 1; d >= 0; d--) {
      idx[d] = r % a.shape[d]!;
      r = Math.floor(r / a.shape[d]!);
    }
    const key = idx.map((v, d) => (axes.includes(d) ? 0 : v)).join(',');
    const list = out.get(key) ?? [];
    list.push(a.data[i]!);
    out.set(key, list);
  }
  return out;
}

const arbCase = arbShape({ minRank: 1, maxRank: 4 }).chain((s) =>
  fc.tuple(arbTensor(s), arbAxes(s.length), fc.boolean()),
);

describe('reductions along axes', () => {
  const cases: [string, (a: Tensor, axes: number[], keep: boolean) => Tensor, (xs: number[]) => number][] = [
    ['sum', sum, (xs) => xs.reduce((p, q) => p + q, 0)],
    ['mean', mean, (xs) => xs.reduce((p, q) => p + q, 0) / xs.length],
    ['max', max, (xs) => Math.max(...xs)],
    ['min', min, (xs) => Math.min(...xs)],
  ];
  for (const [name, op, ref] of cases) {
    test(`${name}: forward matches reference, keepdim shape, gradient`, () => {
      fc.assert(
        fc.property(arbCase, ([a, axes, keep]) => {
          const y = op(a, axes, keep);
          const expectShape = keep
            ? a.shape.map((d, i) => (axes.includes(i) ? 1 : d))
            : a.shape.filter((_, i) => !axes.includes(i));
          expect(y.shape).toEqual(expectShape);
          const g = [...groups(a, axes).values()];
          expect(g.length).toBe(y.size);
          // max/min are not differentiable at ties: skip cases whose extremum is not unique.
          if (name === 'max' || name === 'min')
            fc.pre(g.every((xs) => xs.filter((v) => Math.abs(v - ref(xs)) < 1e-4).length === 1));
          for (let i = 0; i < y.size; i++) expect(y.data[i]).toBeCloseTo(ref(g[i]!), 12);
          gradCheck((x) => op(x, axes, keep), [a]);
        }),
        RUNS,
      );
    });
  }

  test('variance: unbiased and biased, forward and gradient', () => {
    fc.assert(
      fc.property(arbCase, fc.boolean(), ([a, axes, keep], unbiased) => {
        const n = axes.reduce((p, ax) => p * a.shape[ax]!, 1);
        fc.pre(n > 1);
        const y = variance(a, axes, { keepdim: keep, unbiased });
        const g = [...groups(a, axes).values()];
        for (let i = 0; i < y.size; i++) {
          const xs = g[i]!;
          const m = xs.reduce((p, q) => p + q, 0) / xs.length;
          const ss = xs.reduce((p, q) => p + (q - m) ** 2, 0);
          expect(y.data[i]).toBeCloseTo(ss / (unbiased ? xs.length - 1 : xs.length), 12);
        }
        gradCheck((x) => variance(x, axes, { keepdim: keep, unbiased }), [a]);
      }),
      RUNS,
    );
  });

  test('reducing everything gives a 0-d tensor; negative axes work', () => {
    const a = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(sum(a).shape).toEqual([]);
    expect(sum(a).item()).toBe(21);
    expect(Array.from(sum(a, -1).data)).toEqual([6, 15]);
    expect(Array.from(max(a, 0).data)).toEqual([4, 5, 6]);
    expect(Array.from(argmax(a, 1))).toEqual([2, 2]);
  });

  test('max sends the gradient to the first argmax only', () => {
    const a = tensor([3, 7, 7, 1], undefined, { requiresGrad: true });
    max(a).backward();
    expect(Array.from(a.grad!.data)).toEqual([0, 1, 0, 0]);
  });

  test('bad axes name the op', () => {
    const a = tensor([[1, 2]]);
    expect(() => sum(a, 2)).toThrow(/sum: axis 2 is out of range for a tensor with 2 dimensions/);
    expect(() => mean(a, [0, -2])).toThrow(/mean: repeated axis/);
    expect(() => variance(tensor([1]), 0)).toThrow(/var:/);
  });
});
