// The README's example, run as a test so the documentation cannot rot.

import { applyZeroMask, asmaViews, pstlViews, spatialSampler, temporalSampler } from '@asma/masking';
import { adjacency, generateSynthetic, NTU25, sliceBatch, subAdjacency } from '@asma/skeleton';
import { Rng } from '@asma/util';
import { expect, it } from 'vitest';

it('README example', () => {
  const batch = sliceBatch(generateSynthetic({ seed: 1, samplesPerClass: 1 }), 0, 8);
  const rng = new Rng(0);
  const asma = asmaViews({ frames: 50 });
  const { a, b } = asma.samplePair(batch, rng);
  const streamsA = asma.views[0]!.apply(batch, a);
  const kept = a.spatial[0]!.kept.length;
  expect(streamsA.spatial.shape).toEqual([8, 3, 50, kept, 2]);
  expect(streamsA.temporal.shape).toEqual([8, 3, 30, 25, 2]);
  const A = subAdjacency(adjacency(NTU25, 'spatial'), a.spatial[0]!.kept);
  expect(A.shape).toEqual([3, kept, kept]);
  expect(b.temporal.kept.subarray(0, 30)).toHaveLength(30);

  const [p] = pstlViews().sample(batch, rng);
  const zeroed = applyZeroMask(batch, { joints: p!.spatial[0], frames: p!.temporal });
  const joints = spatialSampler({ kind: 'weighted', weights: 'reciprocal', count: 6 }).sample(rng);
  const frames = temporalSampler({
    drop: 'highest',
    count: 5,
    randomDrops: 0,
    selection: 'sampled',
  }).sampleBatch(batch, rng);
  expect([zeroed.shape, joints.kept.length, frames.tKeep]).toEqual([[8, 3, 50, 25, 2], 19, 45]);
});
