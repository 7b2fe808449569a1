import { Rng } from '@asma/util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('Rng', () => {
  it('reproduces a stream from its seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
        const a = new Rng(seed);
        const b = new Rng(seed);
        for (let i = 0; i < 20; i++) expect(a.next()).toBe(b.next());
      }),
    );
  });

  it('restores its state from a snapshot, including the cached normal', () => {
    const a = new Rng(7);
    a.normal();
    const snap = a.getState();
    const expected = [a.normal(), a.next(), a.normal()];
    const b = new Rng(0);
    b.setState(snap);
    expect([b.normal(), b.next(), b.normal()]).toEqual(expected);
  });

  it('draws uniforms in [0, 1) with mean near 1/2 and normals with unit variance', () => {
    const r = new Rng(1);
    let s = 0;
    let s2 = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      s += u;
      const z = r.normal();
      s2 += z * z;
    }
    expect(Math.abs(s / n - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.05);
  });

  it('rejects a non-positive range in int()', () => {
    expect(() => new Rng(1).int(0)).toThrow(/positive integer/);
  });
});
