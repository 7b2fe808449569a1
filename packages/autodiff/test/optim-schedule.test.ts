import { describe, expect, it } from 'vitest';
import { constantLr, cosineLr, LrScheduler, stepLr, warmupCosineLr } from '../src/schedule/lr.js';

describe('learning-rate schedules', () => {
  it('warm-up then cosine: MAE/PSTL formula', () => {
    const s = warmupCosineLr({ base: 5e-3, warmup: 10, total: 150 });
    expect(s.lrAt(0)).toBe(0);
    expect(s.lrAt(5)).toBeCloseTo(2.5e-3, 15);
    expect(s.lrAt(10)).toBeCloseTo(5e-3, 15);
    expect(s.lrAt(80)).toBeCloseTo(2.5e-3, 15);
    expect(s.lrAt(150)).toBe(0);
    expect(s.lrAt(200)).toBe(0);
    for (let t = 10; t < 150; t++) expect(s.lrAt(t + 1)).toBeLessThanOrEqual(s.lrAt(t));
    const f = warmupCosineLr({ base: 1, warmup: 4, total: 10, floor: 0.1, warmupStartFactor: 0.25 });
    expect(f.lrAt(0)).toBe(0.25);
    expect(f.lrAt(2)).toBeCloseTo(0.625, 15);
    expect(f.lrAt(10)).toBeCloseTo(0.1, 15);
    expect(f.lrAt(7)).toBeCloseTo(0.1 + 0.9 * 0.5, 15);
  });

  it('cosine without warm-up equals PyTorch CosineAnnealingLR closed form', () => {
    const s = cosineLr(0.01, 150, 0);
    for (const t of [0, 1, 37, 75, 149])
      expect(s.lrAt(t)).toBeCloseTo(0.005 * (1 + Math.cos((Math.PI * t) / 150)), 15);
  });

  it('constant and step schedules', () => {
    expect(constantLr(0.3).lrAt(1000)).toBe(0.3);
    const s = stepLr({ base: 1, stepSize: 10, gamma: 0.5 });
    expect([0, 9, 10, 25].map((t) => s.lrAt(t))).toEqual([1, 1, 0.5, 0.25]);
    const m = stepLr({ base: 0.1, milestones: [10, 50] });
    expect(m.lrAt(9)).toBe(0.1);
    expect(m.lrAt(10)).toBeCloseTo(0.01, 15);
    expect(m.lrAt(50)).toBeCloseTo(0.001, 15);
  });

  it('rejects bad arguments with the field named', () => {
    expect(() => warmupCosineLr({ base: 1, warmup: 10, total: 10 })).toThrow(
      /total \(10\) must exceed warmup/,
    );
    expect(() => stepLr({ base: 1 })).toThrow(/exactly one of stepSize and milestones/);
    expect(() => stepLr({ base: 1, milestones: [5, 3] })).toThrow(/milestones must increase/);
    expect(() => constantLr(-1)).toThrow(/lr must be/);
    expect(() => constantLr(1).lrAt(Number.NaN)).toThrow(/step must be/);
  });

  it('LrScheduler sets the rate at construction and on each step, and resumes', () => {
    const opt = { lr: 123 };
    const sched = new LrScheduler(opt, warmupCosineLr({ base: 1, warmup: 2, total: 6 }));
    expect(opt.lr).toBe(0);
    sched.step();
    expect(opt.lr).toBe(0.5);
    sched.step();
    expect(opt.lr).toBe(1);
    const saved = sched.stateDict();
    sched.step();
    const again = { lr: 0 };
    new LrScheduler(again, warmupCosineLr({ base: 1, warmup: 2, total: 6 })).loadStateDict(saved);
    expect(again.lr).toBe(1);
    expect(sched.current).toBe(3);
  });
});
