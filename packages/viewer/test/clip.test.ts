import { encodeNpy } from '@asma/skeleton';
import { describe, expect, it } from 'vitest';
import { activeBodies, ClipError, decodeClipFile, extractClip, framePoints } from '../src/core/clip.js';
import { clipViews, dropCounts } from '../src/core/views.js';

const shape = [2, 3, 4, 25, 2];
const size = shape.reduce((a, b) => a * b, 1);
const data = Float32Array.from({ length: size }, (_, i) => (i % 2 === 0 ? i / size : 0)); // body 1 all zero

describe('clips from .npy', () => {
  it('extracts one clip, its points and its active bodies', () => {
    const arr = decodeClipFile(encodeNpy(data, shape), 'x.npy');
    const clip = extractClip(arr, 1, 'x.npy');
    expect(clip.shape).toEqual([1, 3, 4, 25, 2]);
    expect(clip.data[0]).toBeCloseTo(data[size / 2]!);
    const pts = framePoints(clip, 2, 0);
    expect(pts).toHaveLength(25);
    // (c=1, t=2, v=3, m=0) of clip 1
    expect(pts[3]![1]).toBeCloseTo(data[size / 2 + ((1 * 4 + 2) * 25 + 3) * 2]!);
    expect(activeBodies(clip)).toEqual([0]);
  });

  it('says what is wrong with a bad file, shape or index', () => {
    expect(() => decodeClipFile(new Uint8Array([1, 2, 3]), 'junk.npy')).toThrow(
      /junk\.npy: not a readable \.npy file/,
    );
    const wrong = decodeClipFile(encodeNpy(new Float32Array(3 * 4 * 20), [1, 3, 4, 20]), 'w.npy');
    expect(() => extractClip(wrong, 0, 'w.npy')).toThrow(
      /expected shape \(N, 3, T, 25, M\).*\(1, 3, 4, 20\)/,
    );
    const arr = decodeClipFile(encodeNpy(data, shape), 'x.npy');
    expect(() => extractClip(arr, 2, 'x.npy')).toThrow(ClipError);
    expect(() => extractClip(arr, 2, 'x.npy')).toThrow(/index 2 is out of range 0\.\.1/);
    const ints = decodeClipFile(encodeNpy(new Int32Array(size), shape), 'i.npy');
    expect(() => extractClip(ints, 0, 'i.npy')).toThrow(/dtype <i4/);
  });
});

describe('the two ASMa views of a clip', () => {
  it('scales PSTL drop counts with the clip length', () => {
    expect(dropCounts(50)).toEqual({ motionDrops: 10, randomDrops: 10 });
    expect(dropCounts(3)).toEqual({ motionDrops: 1, randomDrops: 1 });
    expect(dropCounts(1)).toEqual({ motionDrops: 0, randomDrops: 0 });
  });

  it('masks joints and frames in both views, deterministically', () => {
    const arr = decodeClipFile(encodeNpy(data, shape), 'x.npy');
    const clip = extractClip(arr, 0);
    const v = clipViews(clip, 3);
    expect(v.energy).toHaveLength(4);
    expect(v.degree[20]).toBe(4);
    for (const view of [v.a, v.b]) {
      expect(view.frames).toHaveLength(4);
      expect(view.frames.filter((f) => f === 'motion')).toHaveLength(1);
      expect(view.maskedJoints.length).toBeGreaterThan(0);
    }
    expect(clipViews(clip, 3)).toEqual(v);
  });
});
