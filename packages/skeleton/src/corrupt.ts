import type { Rng } from '@asma/util';
import { checkBatch, type SkeletonBatch } from './batch.js';

/**
 * A noisy copy of clean clips, the way PKU-MMD phase II differs from phase I (more occlusion, more
 * sensor noise, joints lost by the tracker): the target of the demo's transfer protocol. Only bodies
 * that are present (not all-zero in a frame) are touched, so a missing second person stays missing.
 */
export interface CorruptionOptions {
  /** Gaussian noise added to every coordinate, standard deviation in metres (default 0.02). */
  jitter?: number;
  /** Probability that one joint of one body in one frame is lost (set to zero; default 0.05). */
  dropJoint?: number;
  /** Probability that a clip has one limb occluded over a contiguous span of frames (default 0.5). */
  occlusion?: number;
  /** The occluded span as a fraction of the clip's frames (default 0.4). */
  occlusionSpan?: number;
}

/** NTU-25 limbs (0-based joints): left arm + hand, right arm + hand, left leg, right leg. */
export const NTU25_LIMBS: readonly (readonly number[])[] = [
  [4, 5, 6, 7, 21, 22],
  [8, 9, 10, 11, 23, 24],
  [12, 13, 14, 15],
  [16, 17, 18, 19],
];

function checkProbability(name: string, p: number): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`corruptClips: ${name} must lie in [0, 1], got ${p}`);
}

/**
 * Corrupt (N, 3, T, 25, M) clips: per clip (in order), maybe one limb occluded over a span of frames,
 * then per present body, frame and joint a dropped-joint draw and three jitter draws. Returns a new
 * batch; the input is not modified. Every draw comes from `rng`.
 */
export function corruptClips(batch: SkeletonBatch, rng: Rng, o: CorruptionOptions = {}): SkeletonBatch {
  checkBatch(batch, 'corruptClips');
  const [n, c, t, v, m] = batch.shape;
  if (c !== 3 || v !== 25)
    throw new RangeError(
      `corruptClips: expected (N, 3, T, 25, M) NTU-25 clips, got [${batch.shape.join(', ')}]`,
    );
  const jitter = o.jitter ?? 0.02;
  const dropJoint = o.dropJoint ?? 0.05;
  const occlusion = o.occlusion ?? 0.5;
  const span = o.occlusionSpan ?? 0.4;
  if (!(jitter >= 0 && Number.isFinite(jitter)))
    throw new RangeError(`corruptClips: jitter must be a finite standard deviation >= 0, got ${jitter}`);
  checkProbability('dropJoint', dropJoint);
  checkProbability('occlusion', occlusion);
  checkProbability('occlusionSpan', span);
  const out = new Float32Array(batch.data);
  const plane = t * v * m;
  const lost = new Uint8Array(t * v);
  for (let s = 0; s < n; s++) {
    const base = s * 3 * plane;
    lost.fill(0);
    if (occlusion > 0 && rng.uniform() < occlusion) {
      const limb = NTU25_LIMBS[rng.int(NTU25_LIMBS.length)]!;
      const length = Math.max(1, Math.round(span * t));
      const start = rng.int(t - length + 1);
      for (let f = start; f < start + length; f++) for (const j of limb) lost[f * v + j] = 1;
    }
    for (let b = 0; b < m; b++)
      for (let f = 0; f < t; f++) {
        let present = false;
        for (let j = 0; j < v && !present; j++)
          for (let d = 0; d < 3; d++) if (out[base + d * plane + (f * v + j) * m + b] !== 0) present = true;
        if (!present) continue;
        for (let j = 0; j < v; j++) {
          const at = base + (f * v + j) * m + b;
          const drop = lost[f * v + j] === 1 || (dropJoint > 0 && rng.uniform() < dropJoint);
          for (let d = 0; d < 3; d++) {
            const e = at + d * plane;
            out[e] = drop ? 0 : out[e]! + (jitter > 0 ? rng.normal(0, jitter) : 0);
          }
        }
      }
  }
  return { data: out, shape: [...batch.shape] };
}
