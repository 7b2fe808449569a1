import { generateSynthetic, motionEnergy, type SkeletonBatch, sliceBatch } from '@asma/skeleton';
import { Rng } from '@asma/util';
import { describe, expect, it } from 'vitest';
import {
  applyFrameRemoval,
  applyJointRemoval,
  asmaViews,
  MaskingConfigError,
  pstlViews,
  randomViews,
  strategyByName,
} from '../src/index.js';

const data = generateSynthetic({ seed: 3, samplesPerClass: 1 });
const batch: SkeletonBatch = sliceBatch(data, 0, 8);

describe('presets', () => {
  it('ASMa pair: view A drops the lowest-motion frames, view B the highest, both 50 -> 30', () => {
    const asma = asmaViews({ frames: 50 });
    const { a, b } = asma.samplePair(batch, new Rng(1));
    expect(a.name).toBe('asma-a');
    expect(b.name).toBe('asma-b');
    const energy = motionEnergy(batch);
    for (let s = 0; s < 8; s++) {
      const e = Array.from(energy.subarray(s * 50, (s + 1) * 50));
      const order = e.map((x, f) => ({ x, f })).sort((p, q) => p.x - q.x || p.f - q.f);
      const lowest = order.slice(0, 10).map((p) => p.f);
      const highest = [...order]
        .sort((p, q) => q.x - p.x || p.f - q.f)
        .slice(0, 10)
        .map((p) => p.f);
      expect([...a.temporal.byMotion.subarray(s * 10, s * 10 + 10)]).toEqual(lowest.sort((x, y) => x - y));
      expect([...b.temporal.byMotion.subarray(s * 10, s * 10 + 10)]).toEqual(highest.sort((x, y) => x - y));
    }
    for (const view of [a, b]) {
      expect(view.temporal.tKeep).toBe(30);
      expect(view.spatial).toHaveLength(1);
      const streams = asma.views[view === a ? 0 : 1]!.apply(batch, view);
      expect(streams.spatial.shape).toEqual([8, 3, 50, 25 - view.spatial[0]!.removed.length, 2]);
      expect(streams.temporal.shape).toEqual([8, 3, 30, 25, 2]);
      expect(streams.spatial).toEqual(applyJointRemoval(batch, view.spatial[0]!.kept));
      expect(streams.temporal).toEqual(applyFrameRemoval(batch, view.temporal));
    }
  });

  it('PSTL baseline and random control', () => {
    const [p] = pstlViews().sample(batch, new Rng(2));
    expect(p!.temporal.tKeep).toBe(30);
    expect(p!.spatial[0]!.removed.length).toBeGreaterThan(0);
    expect(p!.spatial[0]!.removed.length).toBeLessThanOrEqual(8);
    const [r] = randomViews().sample(batch, new Rng(2));
    expect(r!.spatial[0]!.removed).toHaveLength(8);
    expect(r!.temporal.tKeep).toBe(30);
    expect(r!.temporal.byMotion).toHaveLength(0);
    expect(strategyByName('pstl').name).toBe('pstl');
    expect(() => strategyByName('bert')).toThrow(/unknown masking strategy 'bert'/);
  });

  it("lowDegreeRule 'weighted' masks exactly `draws` joints with p ~ 1/d", () => {
    const asma = asmaViews({ lowDegreeRule: 'weighted', draws: 6 });
    expect(asma.views[1]!.spec.spatial).toEqual({ kind: 'weighted', weights: 'reciprocal', count: 6 });
    const { b } = asma.samplePair(batch, new Rng(3));
    expect(b.spatial[0]!.removed).toHaveLength(6);
  });

  it('a seed reproduces every mask of the pair', () => {
    const asma = asmaViews({ selection: 'sampled' });
    expect(asma.samplePair(batch, new Rng(9))).toEqual(asma.samplePair(batch, new Rng(9)));
    expect(asma.samplePair(batch, new Rng(9))).not.toEqual(asma.samplePair(batch, new Rng(10)));
  });

  it('per-clip joint masks: zero output works, gather-based removal explains why it cannot', () => {
    const asma = asmaViews();
    const { a } = asma.samplePair(batch, new Rng(4), { spatialPer: 'sample' });
    expect(a.spatial).toHaveLength(8);
    const zero = asma.views[0]!.apply(batch, a, 'zero');
    expect(zero.spatial.shape).toEqual(batch.shape);
    expect(zero.temporal.shape).toEqual(batch.shape);
    expect(() => asma.views[0]!.apply(batch, a)).toThrow(
      /spatialPer: view 'asma-a' has 8 per-clip joint masks/,
    );
  });

  it('invalid presets fail early with the option named', () => {
    expect(() => asmaViews({ frames: 20 })).toThrow(MaskingConfigError);
    expect(() => asmaViews({ frames: 20 })).toThrow(/removes all 20 frames/);
    expect(() => pstlViews({ draws: -1 })).toThrow(/spatial\.draws: must be a non-negative integer, got -1/);
    expect(() => randomViews({ joints: 30 })).toThrow(/spatial\.count: 30 of 25 joints/);
    expect(() =>
      asmaViews().sample({ data: new Float32Array(3 * 50 * 20 * 2), shape: [1, 3, 50, 20, 2] }, new Rng(0)),
    ).toThrow(/batch: has 20 joints, the layout 'ntu25' has 25/);
  });
});
