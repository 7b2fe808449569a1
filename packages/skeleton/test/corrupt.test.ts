import { Rng } from '@asma/util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchIndex, corruptClips, NTU25_LIMBS, type SkeletonBatch } from '../src/index.js';

/** Random clips with body 0 present in every frame and body 1 (when M = 2) absent. */
function clips(n: number, t: number, m: number, seed: number): SkeletonBatch {
  const rng = new Rng(seed);
  const shape: SkeletonBatch['shape'] = [n, 3, t, 25, m];
  const data = new Float32Array(n * 3 * t * 25 * m);
  for (let s = 0; s < n; s++)
    for (let c = 0; c < 3; c++)
      for (let f = 0; f < t; f++)
        for (let j = 0; j < 25; j++) data[batchIndex(shape, s, c, f, j, 0)] = rng.uniform(0.5, 1.5);
  return { data, shape };
}

describe("corruptClips (the transfer protocol's noisy variant)", () => {
  it('is the identity with every corruption off, and never touches its input or absent bodies', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 12 }),
        fc.nat(1000),
        (n, t, seed) => {
          const x = clips(n, t, 2, seed);
          const before = x.data.slice();
          expect(corruptClips(x, new Rng(seed), { jitter: 0, dropJoint: 0, occlusion: 0 }).data).toEqual(
            before,
          );
          const y = corruptClips(x, new Rng(seed));
          expect(x.data).toEqual(before);
          for (let s = 0; s < n; s++)
            for (let c = 0; c < 3; c++)
              for (let f = 0; f < t; f++)
                for (let j = 0; j < 25; j++) expect(y.data[batchIndex(x.shape, s, c, f, j, 1)]).toBe(0);
          // Same seed, same corruption.
          expect(corruptClips(x, new Rng(seed)).data).toEqual(y.data);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('adds jitter of the asked standard deviation and drops joints at the asked rate', () => {
    const x = clips(40, 20, 1, 1);
    const y = corruptClips(x, new Rng(2), { jitter: 0.03, dropJoint: 0.1, occlusion: 0 });
    let dropped = 0;
    let sum = 0;
    let sq = 0;
    let kept = 0;
    for (let s = 0; s < 40; s++)
      for (let f = 0; f < 20; f++)
        for (let j = 0; j < 25; j++) {
          const at = (c: number) => batchIndex(x.shape, s, c, f, j, 0);
          if ([0, 1, 2].every((c) => y.data[at(c)] === 0)) {
            dropped++;
            continue;
          }
          for (let c = 0; c < 3; c++) {
            const d = y.data[at(c)]! - x.data[at(c)]!;
            sum += d;
            sq += d * d;
            kept++;
          }
        }
    expect(dropped / (40 * 20 * 25)).toBeCloseTo(0.1, 1);
    expect(Math.abs(sum / kept)).toBeLessThan(0.002);
    expect(Math.sqrt(sq / kept)).toBeCloseTo(0.03, 2);
  });

  it('occludes one whole limb over one contiguous span of the asked length', () => {
    const t = 20;
    const x = clips(30, t, 1, 3);
    const y = corruptClips(x, new Rng(4), { jitter: 0, dropJoint: 0, occlusion: 1, occlusionSpan: 0.25 });
    for (let s = 0; s < 30; s++) {
      const lost = new Set<number>();
      const frames = new Set<number>();
      for (let f = 0; f < t; f++)
        for (let j = 0; j < 25; j++)
          if (y.data[batchIndex(x.shape, s, 0, f, j, 0)] === 0) {
            lost.add(j);
            frames.add(f);
          }
      expect(NTU25_LIMBS.some((limb) => limb.length === lost.size && limb.every((j) => lost.has(j)))).toBe(
        true,
      );
      const span = [...frames].sort((a, b) => a - b);
      expect(span.length).toBe(5);
      expect(span[span.length - 1]! - span[0]!).toBe(4);
    }
  });

  it('names what it expected when the shape or an option is wrong', () => {
    const x = clips(1, 4, 1, 0);
    expect(() =>
      corruptClips({ data: new Float32Array(3 * 4 * 17), shape: [1, 3, 4, 17, 1] }, new Rng(0)),
    ).toThrow(/NTU-25/);
    expect(() => corruptClips(x, new Rng(0), { dropJoint: 1.5 })).toThrow(
      /dropJoint must lie in \[0, 1\], got 1.5/,
    );
    expect(() => corruptClips(x, new Rng(0), { jitter: Number.NaN })).toThrow(/jitter/);
  });
});
