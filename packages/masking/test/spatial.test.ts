import { jointDegree, NTU25 } from '@asma/skeleton';
import { Rng } from '@asma/util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  asmaViews,
  MaskingConfigError,
  multisetInclusion,
  resolveWeights,
  type SpatialRule,
  spatialSampler,
} from '../src/index.js';

const degrees = jointDegree(NTU25);

/** Empirical masking frequency of every joint over `draws` masks, and the mean mask size. */
function frequencies(rule: SpatialRule, draws: number, seed: number): { freq: number[]; meanSize: number } {
  const sampler = spatialSampler(rule);
  const rng = new Rng(seed);
  const count = new Array<number>(25).fill(0);
  let size = 0;
  for (let i = 0; i < draws; i++) {
    const { removed } = sampler.sample(rng);
    size += removed.length;
    for (const j of removed) count[j]!++;
  }
  return { freq: count.map((c) => c / draws), meanSize: size / draws };
}

/** Mean frequency of the joints of each degree 1..4. */
function byDegree(freq: number[]): number[] {
  return [1, 2, 3, 4].map((d) => {
    const js = degrees.map((x, j) => (x === d ? j : -1)).filter((j) => j >= 0);
    return js.reduce((a, j) => a + freq[j]!, 0) / js.length;
  });
}

// 4.5 standard errors of a binomial frequency: fails on a wrong rule, not on noise.
const tol = (p: number, n: number) => 4.5 * Math.sqrt((p * (1 - p)) / n);

describe('PSTL central spatial masking (multiset by degree, 8 draws)', () => {
  const N = 20000;
  const { freq, meanSize } = frequencies({ kind: 'multiset', weights: 'degree', draws: 8 }, N, 1);

  it('masks degree-4 joints ~0.53 and degree-1 joints ~0.17 of the time', () => {
    expect(freq[20]).toBeCloseTo(0.53, 1); // spine shoulder, degree 4
    expect(Math.abs(freq[20]! - 0.53)).toBeLessThan(0.02);
    for (const j of [3, 15, 19, 21, 23]) expect(Math.abs(freq[j]! - 1 / 6)).toBeLessThan(0.015);
  });

  it('matches the exact inclusion probabilities 1 - C(48 - d, 8) / C(48, 8) for every joint', () => {
    const exact = multisetInclusion(degrees, 8);
    expect(exact[20]).toBeCloseTo(0.5303, 4);
    expect(exact[3]).toBeCloseTo(1 / 6, 6);
    freq.forEach((f, j) => {
      expect(Math.abs(f - exact[j]!)).toBeLessThan(tol(exact[j]!, N));
    });
    // ~7.35 distinct joints on average.
    expect(exact.reduce((a, b) => a + b, 0)).toBeCloseTo(7.3456, 3);
    expect(Math.abs(meanSize - 7.3456)).toBeLessThan(0.03);
  });

  it('is monotone in degree', () => {
    const [d1, d2, d3, d4] = byDegree(freq);
    expect(d1).toBeLessThan(d2!);
    expect(d2).toBeLessThan(d3!);
    expect(d3).toBeLessThan(d4!);
  });
});

describe("ASMa's inverse weightings reverse the order", () => {
  it("'inverse' multiset (multiplicity d_max + 1 - d) matches its exact inclusion and favours degree 1", () => {
    const N = 20000;
    const { freq } = frequencies({ kind: 'multiset', weights: 'inverse', draws: 8 }, N, 2);
    const exact = multisetInclusion(resolveWeights('inverse', degrees, 'w', true), 8);
    freq.forEach((f, j) => {
      expect(Math.abs(f - exact[j]!)).toBeLessThan(tol(exact[j]!, N));
    });
    const [d1, d2, d3, d4] = byDegree(freq);
    expect(d1).toBeGreaterThan(d2!);
    expect(d2).toBeGreaterThan(d3!);
    expect(d3).toBeGreaterThan(d4!);
  });

  it("'reciprocal' weighted draw (p ~ 1/d, 8 distinct joints) favours degree 1", () => {
    const { freq, meanSize } = frequencies({ kind: 'weighted', weights: 'reciprocal', count: 8 }, 10000, 3);
    expect(meanSize).toBe(8);
    const [d1, d2, d3, d4] = byDegree(freq);
    expect(d1).toBeGreaterThan(d2!);
    expect(d2).toBeGreaterThan(d3!);
    expect(d3).toBeGreaterThan(d4!);
  });

  it('the ASMa presets mask high-degree joints in view A and low-degree joints in view B', () => {
    const asma = asmaViews();
    expect(asma.views[0]!.spec.spatial).toEqual({ kind: 'multiset', weights: 'degree', draws: 8 });
    expect(asma.views[1]!.spec.spatial).toEqual({ kind: 'multiset', weights: 'inverse', draws: 8 });
  });
});

describe('empirical frequencies follow any configured weighting (property)', () => {
  it('multiset rule with random integer multiplicities', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 25, maxLength: 25 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer(),
        (mult, draws, seed) => {
          fc.pre(mult.filter((m) => m > 0).length >= 2 && mult.reduce((a, b) => a + b, 0) > draws + 5);
          const N = 4000;
          const { freq } = frequencies({ kind: 'multiset', weights: mult, draws }, N, seed);
          const exact = multisetInclusion(mult, draws);
          freq.forEach((f, j) => {
            expect(Math.abs(f - exact[j]!)).toBeLessThanOrEqual(tol(exact[j]!, N) + 1e-12);
          });
        },
      ),
      { numRuns: 15, seed: 7 },
    );
  });

  it('weighted rule with one draw is exactly proportional to the weights', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 25, maxLength: 25 }),
        fc.integer(),
        (w, seed) => {
          const total = w.reduce((a, b) => a + b, 0);
          fc.pre(total > 0.1 && w.filter((x) => x > 0).length >= 2);
          const N = 4000;
          const { freq } = frequencies({ kind: 'weighted', weights: w, count: 1 }, N, seed);
          freq.forEach((f, j) => {
            const p = w[j]! / total;
            expect(Math.abs(f - p)).toBeLessThanOrEqual(tol(p, N) + 1e-12);
            if (w[j] === 0) expect(f).toBe(0);
          });
        },
      ),
      { numRuns: 15, seed: 8 },
    );
  });

  it('uniform rule masks every joint with probability k / V', () => {
    const N = 10000;
    const { freq, meanSize } = frequencies({ kind: 'uniform', count: 5 }, N, 4);
    expect(meanSize).toBe(5);
    freq.forEach((f) => {
      expect(Math.abs(f - 0.2)).toBeLessThan(tol(0.2, N));
    });
  });

  it('weights given as a function of degree', () => {
    const a = frequencies({ kind: 'multiset', weights: (d) => d, draws: 8 }, 500, 5);
    const b = frequencies({ kind: 'multiset', weights: 'degree', draws: 8 }, 500, 5);
    expect(a).toEqual(b);
  });
});

describe('masks', () => {
  it('kept and removed are sorted, disjoint and cover every joint', () => {
    const rules: SpatialRule[] = [
      { kind: 'multiset' },
      { kind: 'weighted', count: 7 },
      { kind: 'uniform', count: 12 },
      { kind: 'parts', choose: 2 },
      { kind: 'none' },
    ];
    fc.assert(
      fc.property(fc.constantFrom(...rules), fc.integer(), (rule, seed) => {
        const { removed, kept } = spatialSampler(rule).sample(new Rng(seed));
        expect([...removed, ...kept].sort((a, b) => a - b)).toEqual([...Array(25).keys()]);
        expect(kept).toEqual([...kept].sort((a, b) => a - b));
        expect(removed).toEqual([...removed].sort((a, b) => a - b));
        expect(kept.length).toBeGreaterThan(0);
      }),
      { numRuns: 100, seed: 9 },
    );
  });

  it('body-part masks remove whole parts', () => {
    const m = spatialSampler({ kind: 'parts', parts: ['arms', 'head'] }).sample(new Rng(0));
    expect(m.removed).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 21, 22, 23, 24]);
    const legs = spatialSampler({ kind: 'parts', parts: ['legs'] }).sample(new Rng(0));
    expect(legs.removed).toEqual([12, 13, 14, 15, 16, 17, 18, 19]);
    const torso = spatialSampler({
      kind: 'parts',
      parts: ['torso', { name: 'hands', joints: [7, 11] }],
    }).sample(new Rng(0));
    expect(torso.removed).toEqual([0, 1, 7, 11, 20]);
    // One random part each time: every draw is exactly one of the six parts.
    const one = spatialSampler({ kind: 'parts' });
    const rng = new Rng(1);
    const sizes = new Set<number>();
    for (let i = 0; i < 200; i++) sizes.add(one.sample(rng).removed.length);
    expect([...sizes].sort()).toEqual([2, 3, 4, 6]);
  });

  it('a seed reproduces the masks', () => {
    const s = spatialSampler({ kind: 'multiset', weights: 'inverse' });
    const run = (seed: number) =>
      Array.from(
        { length: 20 },
        (
          (rng) => () =>
            s.sample(rng)
        )(new Rng(seed)),
      );
    expect(run(42)).toEqual(run(42));
    expect(run(42)).not.toEqual(run(43));
  });
});

describe('invalid configurations fail with a message naming the option', () => {
  const bad: [SpatialRule, RegExp][] = [
    [{ kind: 'uniform', count: 26 }, /spatial\.count: 26 of 25 joints: no joint would be left/],
    [{ kind: 'uniform', count: 25 }, /spatial\.count/],
    [{ kind: 'uniform', count: -1 }, /spatial\.count: must be a non-negative integer, got -1/],
    [{ kind: 'weighted', count: 2.5 }, /spatial\.count: must be a non-negative integer/],
    [{ kind: 'multiset', draws: -3 }, /spatial\.draws: must be a non-negative integer/],
    [{ kind: 'multiset', draws: 49 }, /spatial\.draws: 49 draws from a multiset of only 48 items/],
    [
      { kind: 'multiset', draws: 25 },
      /spatial\.draws: 25 draws can remove all 25 joints: no joint would be left/,
    ],
    [
      { kind: 'multiset', weights: [1, 2, 3] },
      /spatial\.weights: has 3 weights but the layout has 25 joints/,
    ],
    [
      { kind: 'multiset', weights: 'reciprocal' },
      /spatial\.weights: the multiset rule needs integer multiplicities/,
    ],
    [{ kind: 'weighted', count: 3, weights: degrees.map((_, j) => (j === 4 ? -1 : 1)) }, /joint 4 .* got -1/],
    [
      { kind: 'weighted', count: 3, weights: degrees.map((_, j) => (j === 2 ? Number.NaN : 1)) },
      /joint 2 .* got NaN/,
    ],
    [
      { kind: 'weighted', count: 3, weights: degrees.map((_, j) => (j < 2 ? 1 : 0)) },
      /only 2 have weight > 0/,
    ],
    [{ kind: 'weighted', count: 3, weights: degrees.map(() => 0) }, /all weights are zero/],
    [{ kind: 'parts', parts: ['tail'] }, /spatial\.parts: unknown body part 'tail'/],
    [{ kind: 'parts', choose: 7 }, /spatial\.choose: 7 parts but only 6/],
    [{ kind: 'parts', choose: 6 }, /no joint would be left/],
  ];
  it.each(bad)('%o', (rule, message) => {
    expect(() => spatialSampler(rule)).toThrow(MaskingConfigError);
    expect(() => spatialSampler(rule)).toThrow(message);
  });
});
