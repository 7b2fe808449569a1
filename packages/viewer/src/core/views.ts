/**
 * What the two ASMa views hide in one clip: view A masks high-degree joints and drops the
 * lowest-motion frames, view B masks low-degree joints and drops the highest-motion frames
 * (each then drops as many frames again at random). Drawn with @asma/masking's asmaViews itself.
 */

import { asmaViews, scaledDropCounts } from '@asma/masking';
import { jointDegree, motionEnergy, NTU25, type SkeletonBatch } from '@asma/skeleton';
import { Rng } from '@asma/util';

export type FrameState = 'kept' | 'motion' | 'random';

export interface ViewPicture {
  name: string;
  /** Joints the spatial stream hides (0-based, ascending). */
  maskedJoints: number[];
  /** Per frame: kept, dropped by motion rank, or dropped at random. */
  frames: FrameState[];
}

export interface ClipViews {
  /** Per-frame motion energy (T). */
  energy: Float32Array;
  /** Bones per joint, NTU-25 order. */
  degree: number[];
  a: ViewPicture;
  b: ViewPicture;
}

/** PSTL drops 10 + 10 of 50 frames; shorter or longer clips drop the same fractions (at least 1 kept). Shared with asma pretrain and asma masks. */
export const dropCounts = scaledDropCounts;

/** Masks of views A and B for a (1, 3, T, 25, M) clip, seeded. */
export function clipViews(clip: SkeletonBatch, seed = 0): ClipViews {
  const t = clip.shape[2];
  const strategy = asmaViews({ frames: t, ...dropCounts(t) });
  const energy = motionEnergy(clip);
  const { a, b } = strategy.samplePair(clip, new Rng(seed), { energy });
  const picture = (v: typeof a): ViewPicture => {
    const frames: FrameState[] = new Array(t).fill('kept');
    for (const f of v.temporal.removed) frames[f] = 'random';
    for (const f of v.temporal.byMotion) frames[f] = 'motion';
    return { name: v.name, maskedJoints: [...v.spatial[0]!.removed], frames };
  };
  return { energy: energy.slice(0, t), degree: jointDegree(NTU25), a: picture(a), b: picture(b) };
}
