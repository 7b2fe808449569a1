// PSTL's masking ops run in PyTorch (tools/torch/masking_fixture.py) as the oracle.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { motionEnergy, type SkeletonBatch } from '@asma/skeleton';
import { readNpy } from '@asma/skeleton/node';
import { Rng } from '@asma/util';
import { describe, expect, it } from 'vitest';
import { applyFrameRemoval, applyJointRemoval, temporalSampler } from '../src/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const ref = JSON.parse(readFileSync(fixture('pstl_masks.json'), 'utf8')) as {
  energy: number[][];
  keptDropHighest: number[][];
  keptDropLowest: number[][];
  keptJoints: number[];
};
const load = (name: string): SkeletonBatch => {
  const a = readNpy(fixture(name));
  return { data: a.data as Float32Array, shape: a.shape as SkeletonBatch['shape'] };
};
const x = load('pstl_x.npy');
const [n, , t] = x.shape;

describe('against PSTL in PyTorch', () => {
  it("motion energy equals PSTL's temporal attention (float32)", () => {
    const e = motionEnergy(x);
    ref.energy.flat().forEach((want, i) => {
      expect(Math.abs(e[i]! - want)).toBeLessThanOrEqual(2e-7 * Math.max(1, Math.abs(want)));
    });
  });

  it('keeps the frames torch.topk keeps (drop highest: PSTL; drop lowest: ASMa A)', () => {
    for (const [drop, want] of [
      ['highest', ref.keptDropHighest],
      ['lowest', ref.keptDropLowest],
    ] as const) {
      const mask = temporalSampler({ drop, count: 10, randomDrops: 0 }).sampleBatch(x, new Rng(0));
      const rows = Array.from({ length: n }, (_, s) => [...mask.kept.subarray(s * 40, (s + 1) * 40)]);
      expect(rows).toEqual(want);
      expect(mask.tKeep).toBe(t - 10);
    }
  });

  it('frame gather and joint removal match torch bit for bit', () => {
    const mask = temporalSampler({ drop: 'highest', count: 10, randomDrops: 0 }).sampleBatch(x, new Rng(0));
    const gathered = applyFrameRemoval(x, mask);
    const want = load('pstl_gathered.npy');
    expect(gathered.shape).toEqual(want.shape);
    expect(gathered.data).toEqual(want.data);
    const removed = applyJointRemoval(x, ref.keptJoints);
    const wantRemoved = load('pstl_joint_removed.npy');
    expect(removed.shape).toEqual(wantRemoved.shape);
    expect(removed.data).toEqual(wantRemoved.data);
  });
});
