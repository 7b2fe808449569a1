import { describe, expect, it } from 'vitest';
import { pairedComparison } from '../src/demo/paired.js';

describe("pairedComparison (the demo report's verdicts)", () => {
  it('computes the paired differences, their spread and t', () => {
    const c = pairedComparison([0.6, 0.7, 0.65], [0.5, 0.55, 0.6]);
    expect(c.differences.map((d) => Number(d.toFixed(10)))).toEqual([0.1, 0.15, 0.05]);
    expect(c.mean).toBeCloseTo(0.1, 12);
    expect(c.std).toBeCloseTo(0.05, 12);
    expect(c.t).toBeCloseTo(0.1 / (0.05 / Math.sqrt(3)), 9); // 3.46: below 4.303
    expect(c.verdict).toMatch(/^every seed the same way, but not significant \(paired t 3\.5 < 4\.303\)/);
  });

  it('calls a difference supported only when every seed agrees and t passes the 95 % bound', () => {
    expect(pairedComparison([0.8, 0.81, 0.79], [0.5, 0.5, 0.5]).verdict).toMatch(
      /^supported: every seed, paired t 52\.0/,
    );
    expect(pairedComparison([0.5, 0.5, 0.5], [0.8, 0.81, 0.79]).verdict).toMatch(
      /^supported: every seed, paired t -52\.0/,
    );
    expect(pairedComparison([0.9, 0.4, 0.9], [0.5, 0.5, 0.5]).verdict).toBe(
      'not supported: the sign changes between seeds',
    );
    // A zero difference on one seed is not agreement.
    expect(pairedComparison([0.6, 0.5, 0.7], [0.5, 0.5, 0.5]).verdict).toMatch(/^not supported/);
    expect(pairedComparison([0.5, 0.5, 0.5], [0.5, 0.5, 0.5]).verdict).toBe('no difference on any seed');
    expect(pairedComparison([0.6, 0.7], [0.5, 0.5]).verdict).toBe('2 seeds: no verdict');
    expect(() => pairedComparison([0.5], [0.5, 0.6])).toThrow(/same, non-zero number of seeds/);
  });
});
