import { describe, expect, it } from 'vitest';
import { type ClipDataset, classCount, subset } from '../src/index.js';

const clips = (labels: number[], extra: Partial<ClipDataset> = {}): ClipDataset => ({
  clips: { data: new Float32Array(labels.length * 3 * 2 * 25), shape: [labels.length, 3, 2, 25, 1] },
  labels: Int32Array.from(labels),
  source: 'x.npy',
  ...extra,
});

describe('classCount', () => {
  it('is 1 + the largest label without a stated count', () => {
    expect(classCount(clips([0, 3, 1]))).toBe(4);
  });
  it("is the dataset's count when stated (NTU-60 with labels up to 50 only), kept by subset", () => {
    const d = clips([0, 50], { classes: 60 });
    expect(classCount(d)).toBe(60);
    expect(classCount(subset(d, [1]))).toBe(60);
  });
  it('rejects a label outside the stated count', () => {
    expect(() => classCount(clips([0, 60], { classes: 60 }))).toThrow(
      "x.npy: label 60 is outside the dataset's 60 classes (0..59)",
    );
  });
});
