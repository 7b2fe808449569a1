import { describe, expect, it } from 'vitest';
import {
  batchIndex,
  boneStream,
  clipMotionEnergy,
  getStream,
  jointMotionEnergy,
  motionEnergy,
  motionStream,
  NTU25,
  type SkeletonBatch,
  zerosBatch,
} from '../src/index.js';

/** One clip, C=1, T=3, V=2, M=1 with hand-picked values. */
function tiny(): SkeletonBatch {
  // x[t][v]: t0 = [0, 1], t1 = [2, 1], t2 = [2, 4]
  return { data: Float32Array.from([0, 1, 2, 1, 2, 4]), shape: [1, 1, 3, 2, 1] };
}

describe('motion statistics (hand computed)', () => {
  it('per frame: e0 = (4 + 0) / 2, e1 = (0 + 9) / 2, e2 = 0', () => {
    expect(Array.from(motionEnergy(tiny()))).toEqual([2, 4.5, 0]);
  });
  it('per joint: joint 0 = (4 + 0 + 0) / 3, joint 1 = (0 + 9 + 0) / 3', () => {
    expect(Array.from(jointMotionEnergy(tiny()))).toEqual([Math.fround(4 / 3), 3]);
  });
  it('per clip: mean of all squared motion = 13 / 6', () => {
    expect(clipMotionEnergy(tiny())[0]).toBeCloseTo(13 / 6, 6);
  });
  it('per clip = mean of per frame = mean of per joint, on random batches', () => {
    const b = zerosBatch([3, 3, 7, 25, 2]);
    for (let i = 0; i < b.data.length; i++) b.data[i] = Math.sin(i * 12.9898) * 2;
    const perFrame = motionEnergy(b);
    const perJoint = jointMotionEnergy(b);
    const perClip = clipMotionEnergy(b);
    for (let n = 0; n < 3; n++) {
      const f = perFrame.subarray(n * 7, n * 7 + 7).reduce((a, x) => a + x, 0) / 7;
      const j = perJoint.subarray(n * 25, n * 25 + 25).reduce((a, x) => a + x, 0) / 25;
      expect(perClip[n]).toBeCloseTo(f, 5);
      expect(perClip[n]).toBeCloseTo(j, 5);
    }
  });
  it('averages over channels and bodies too', () => {
    const b = zerosBatch([2, 3, 4, 5, 2]);
    // sample 1, channel 2, frame 1 -> 2, joint 3, body 1 moves by 3: e_1 = 9 / (3 * 5 * 2)
    b.data[batchIndex(b.shape, 1, 2, 2, 3, 1)] = 3;
    const e = motionEnergy(b);
    expect(Array.from(e.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(e[4 + 1]).toBeCloseTo(9 / 30, 7);
    expect(e[4 + 2]).toBeCloseTo(9 / 30, 7); // and back from 3 to 0 at frame 2 -> 3
    expect(e[4 + 3]).toBe(0);
  });
});

describe('streams', () => {
  it('motion: x[t+1] - x[t], last frame 0', () => {
    expect(Array.from(motionStream(tiny()).data)).toEqual([2, 0, 0, 3, 0, 0]);
  });
  it('bone: child minus parent over the bone list plus (21, 21)', () => {
    const b = zerosBatch([1, 3, 1, 25, 2]);
    for (let v = 0; v < 25; v++)
      for (let c = 0; c < 3; c++) b.data[batchIndex(b.shape, 0, c, 0, v, 0)] = (v + 1) * (c + 1);
    const bone = boneStream(b);
    const at = (c: number, v1: number): number => bone.data[batchIndex(b.shape, 0, c, 0, v1 - 1, 0)]!;
    expect(at(0, 1)).toBe(1 - 2); // (1, 2)
    expect(at(1, 4)).toBe((4 - 3) * 2); // (4, 3)
    expect(at(2, 22)).toBe((22 - 23) * 3); // (22, 23)
    expect(at(0, 23)).toBe(23 - 8); // (23, 8)
    expect(at(0, 21)).toBe(0); // (21, 21)
    for (let v = 0; v < 25; v++) expect(bone.data[batchIndex(b.shape, 0, 0, 0, v, 1)]).toBe(0); // body 2 absent
    expect(NTU25.bones.length + 1).toBe(25); // every joint is the child of exactly one pair
  });
  it('getStream dispatches and copies', () => {
    const x = tiny();
    const j = getStream(x, 'joint');
    expect(j.data).toEqual(x.data);
    expect(j.data).not.toBe(x.data);
    expect(getStream(x, 'motion').data).toEqual(motionStream(x).data);
    expect(() => getStream(x, 'bone')).toThrow(/V = 2/);
  });
  it('shape mismatch is a clear error', () => {
    expect(() => motionStream({ data: new Float32Array(5), shape: [1, 1, 3, 2, 1] })).toThrow(/needs 6/);
  });
});
