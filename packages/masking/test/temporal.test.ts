import { motionEnergy, type SkeletonBatch } from '@asma/skeleton';
import { Rng } from '@asma/util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MaskingConfigError, type TemporalMask, temporalSampler } from '../src/index.js';

const row = (a: Int32Array, s: number, w: number) => [...a.subarray(s * w, (s + 1) * w)];

/** The k frames of highest (or lowest) energy by a plain sort, ties to the lower index. */
function naiveExtremes(e: ArrayLike<number>, k: number, highest: boolean): number[] {
  const frames = Array.from(e, (x, f) => ({ x, f }));
  frames.sort((a, b) => (highest ? b.x - a.x : a.x - b.x) || a.f - b.f);
  return frames
    .slice(0, k)
    .map((p) => p.f)
    .sort((a, b) => a - b);
}

function checkStructure(mask: TemporalMask): void {
  const { n, frames, tKeep } = mask;
  const r = frames - tKeep;
  for (let s = 0; s < n; s++) {
    const kept = row(mask.kept, s, tKeep);
    const removed = row(mask.removed, s, r);
    for (let i = 1; i < kept.length; i++) expect(kept[i]).toBeGreaterThan(kept[i - 1]!);
    for (let i = 1; i < removed.length; i++) expect(removed[i]).toBeGreaterThan(removed[i - 1]!);
    expect([...kept, ...removed].sort((a, b) => a - b)).toEqual([...Array(frames).keys()]);
    for (const f of row(mask.byMotion, s, mask.byMotion.length / n)) expect(removed).toContain(f);
  }
}

// Energies drawn from a few levels so that ties are common.
const energies = fc
  .record({ n: fc.integer({ min: 1, max: 6 }), t: fc.integer({ min: 2, max: 60 }) })
  .chain(({ n, t }) =>
    fc.record({
      n: fc.constant(n),
      t: fc.constant(t),
      e: fc.array(fc.oneof(fc.constantFrom(0, 0.5, 1), fc.float({ min: 0, max: 10, noNaN: true })), {
        minLength: n * t,
        maxLength: n * t,
      }),
      k: fc.integer({ min: 0, max: t - 1 }),
      seed: fc.integer(),
    }),
  );

describe('motion-energy frame selection (top-k)', () => {
  for (const drop of ['highest', 'lowest'] as const) {
    it(`removes exactly the ${drop}-energy frames of every clip, kept frames in order`, () => {
      fc.assert(
        fc.property(energies, fc.nat(), ({ n, t, e, k, seed }, extra) => {
          const randomDrops = extra % (t - k); // keep at least one frame
          const sampler = temporalSampler({ drop, count: k, randomDrops });
          const mask = sampler.sample(Float32Array.from(e), n, t, new Rng(seed));
          expect(mask.tKeep).toBe(t - k - randomDrops);
          checkStructure(mask);
          for (let s = 0; s < n; s++) {
            const clip = Float32Array.from(e.slice(s * t, (s + 1) * t));
            expect(row(mask.byMotion, s, k)).toEqual(naiveExtremes(clip, k, drop === 'highest'));
          }
        }),
        { numRuns: 200, seed: 11 },
      );
    });
  }

  it('breaks ties toward the lower frame index', () => {
    const e = Float32Array.from([1, 5, 5, 5, 0, 0]);
    const hi = temporalSampler({ drop: 'highest', count: 2, randomDrops: 0 }).sample(e, 1, 6, new Rng(0));
    expect([...hi.byMotion]).toEqual([1, 2]);
    const lo = temporalSampler({ drop: 'lowest', count: 3, randomDrops: 0 }).sample(e, 1, 6, new Rng(0));
    expect([...lo.byMotion]).toEqual([0, 4, 5]);
    expect([...lo.kept]).toEqual([1, 2, 3]);
  });

  it('PSTL: 50 -> 30 frames, the 10 random drops share slot positions across the batch', () => {
    const rng = new Rng(5);
    const e = Float32Array.from({ length: 4 * 50 }, () => rng.next());
    const mask = temporalSampler({ drop: 'highest' }, 50).sample(e, 4, 50, new Rng(1));
    expect(mask.tKeep).toBe(30);
    expect(mask.removed.length).toBe(4 * 20);
    checkStructure(mask);
    // Per-sample energy: kept frames differ per clip, but after the motion drop the same slots go.
    expect(mask.shared).toBe(false);
    const slotsOf = (s: number) => {
      const afterMotion = [...Array(50).keys()].filter((f) => !row(mask.byMotion, s, 10).includes(f));
      return afterMotion.map((f, i) => (row(mask.kept, s, 30).includes(f) ? -1 : i)).filter((i) => i >= 0);
    };
    expect(slotsOf(1)).toEqual(slotsOf(0));
    expect(slotsOf(3)).toEqual(slotsOf(0));
    expect(slotsOf(0)).toHaveLength(10);
  });

  it("energyPer 'batch' gives one shared frame list (for a single gather)", () => {
    const rng = new Rng(6);
    const e = Float32Array.from({ length: 3 * 20 }, () => rng.next());
    const mask = temporalSampler({ drop: 'lowest', count: 4, randomDrops: 3, energyPer: 'batch' }).sample(
      e,
      3,
      20,
      new Rng(2),
    );
    expect(mask.shared).toBe(true);
    expect(row(mask.kept, 1, 13)).toEqual(row(mask.kept, 0, 13));
    const mean = Array.from({ length: 20 }, (_, f) => (e[f]! + e[20 + f]! + e[40 + f]!) / 3);
    expect(row(mask.byMotion, 0, 4)).toEqual(naiveExtremes(Float32Array.from(mean), 4, false));
  });

  it("randomPer 'sample' draws the random drops per clip", () => {
    const e = new Float32Array(8 * 30);
    const mask = temporalSampler({ drop: 'none', randomDrops: 10, randomPer: 'sample' }).sample(
      e,
      8,
      30,
      new Rng(3),
    );
    const rows = new Set(Array.from({ length: 8 }, (_, s) => row(mask.kept, s, 20).join()));
    expect(rows.size).toBeGreaterThan(1);
  });

  it('computes the energy from a batch as PSTL defines it', () => {
    const rng = new Rng(4);
    const batch: SkeletonBatch = {
      data: Float32Array.from({ length: 2 * 3 * 12 * 25 * 2 }, () => rng.normal()),
      shape: [2, 3, 12, 25, 2],
    };
    const sampler = temporalSampler({ drop: 'highest', count: 3, randomDrops: 2 });
    expect(sampler.sampleBatch(batch, new Rng(9))).toEqual(
      sampler.sample(motionEnergy(batch), 2, 12, new Rng(9)),
    );
  });
});

describe('motion-weighted sampling', () => {
  it('drops high-energy frames more often (highest) and low-energy frames more often (lowest)', () => {
    const t = 10;
    const e = Float32Array.from({ length: t }, (_, f) => f); // energy grows with f
    for (const drop of ['highest', 'lowest'] as const) {
      const sampler = temporalSampler({ drop, count: 1, randomDrops: 0, selection: 'sampled' });
      const rng = new Rng(drop === 'highest' ? 1 : 2);
      const count = new Array<number>(t).fill(0);
      const N = 20000;
      for (let i = 0; i < N; i++) count[sampler.sample(e, 1, t, rng).byMotion[0]!]!++;
      // One draw: probability proportional to e + floor (or max - e + floor), floor = 1e-3 * 9.
      const w = Array.from(e, (x) => (drop === 'highest' ? x : 9 - x) + 9e-3);
      const total = w.reduce((a, b) => a + b, 0);
      count.forEach((c, f) => {
        const p = w[f]! / total;
        expect(Math.abs(c / N - p)).toBeLessThan(4.5 * Math.sqrt((p * (1 - p)) / N) + 1e-9);
      });
    }
  });

  it('keeps the structure (counts, order) on random data', () => {
    fc.assert(
      fc.property(energies, ({ n, t, e, k, seed }) => {
        const mask = temporalSampler({
          drop: 'lowest',
          count: k,
          randomDrops: 0,
          selection: 'sampled',
        }).sample(Float32Array.from(e), n, t, new Rng(seed));
        expect(mask.tKeep).toBe(t - k);
        checkStructure(mask);
      }),
      { numRuns: 100, seed: 12 },
    );
  });
});

describe('reproducibility and validation', () => {
  it('a seed reproduces the masks', () => {
    const rng = new Rng(8);
    const e = Float32Array.from({ length: 16 * 50 }, () => rng.next());
    const s = temporalSampler({ drop: 'lowest', selection: 'sampled', randomPer: 'sample' });
    expect(s.sample(e, 16, 50, new Rng(77))).toEqual(s.sample(e, 16, 50, new Rng(77)));
    expect(s.sample(e, 16, 50, new Rng(77))).not.toEqual(s.sample(e, 16, 50, new Rng(78)));
  });

  it('rejects bad options with the option named', () => {
    const e = new Float32Array(20);
    const cases: [() => unknown, RegExp][] = [
      [
        () => temporalSampler({ drop: 'highest', count: -1 }),
        /temporal\.count: must be a non-negative integer, got -1/,
      ],
      [() => temporalSampler({ drop: 'lowest', randomDrops: 1.5 }), /temporal\.randomDrops/],
      [() => temporalSampler({ drop: 'highest' }, 20), /count 10 \+ randomDrops 10 removes all 20 frames/],
      [
        () => temporalSampler({ drop: 'highest', count: 5, randomDrops: 5 }).sample(e, 2, 10, new Rng(0)),
        /removes all 10 frames/,
      ],
      [
        () => temporalSampler({ drop: 'up' as 'highest' }),
        /temporal\.drop: expected 'highest', 'lowest' or 'none'/,
      ],
      [() => temporalSampler({ drop: 'lowest', selection: 'best' as 'topk' }), /temporal\.selection/],
      [
        () => temporalSampler({ drop: 'lowest', count: 1, randomDrops: 0 }).sample(e, 3, 10, new Rng(0)),
        /energy: has 20 values, expected n \* frames = 30/,
      ],
      [
        () =>
          temporalSampler({ drop: 'lowest', count: 1, randomDrops: 0 }).sample(
            Float32Array.from([0, 1, Number.NaN, 2]),
            2,
            2,
            new Rng(0),
          ),
        /energy: clip 1 frame 0 is NaN/,
      ],
      [
        () =>
          temporalSampler({ drop: 'highest', count: 1, randomDrops: 0 }).sample(
            Float32Array.from([0, Number.POSITIVE_INFINITY]),
            1,
            2,
            new Rng(0),
          ),
        /energy: clip 0 frame 1 is Infinity/,
      ],
    ];
    for (const [f, message] of cases) {
      expect(f).toThrow(MaskingConfigError);
      expect(f).toThrow(message);
    }
  });
});
