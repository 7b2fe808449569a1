import { checkBatch, type SkeletonBatch } from './batch.js';
import { NTU25, type SkeletonLayout } from './layout.js';

export type StreamView = 'joint' | 'motion' | 'bone';

/** Motion stream: x[t+1] - x[t], last frame 0 (PSTL/AimCLR get_stream 'motion'). */
export function motionStream(batch: SkeletonBatch): SkeletonBatch {
  checkBatch(batch, 'motionStream');
  const [n, c, t, v, m] = batch.shape;
  const x = batch.data;
  const out = new Float32Array(x.length);
  const frame = v * m;
  for (let row = 0; row < n * c; row++) {
    const base = row * t * frame;
    for (let f = 0; f + 1 < t; f++) {
      const o = base + f * frame;
      for (let e = 0; e < frame; e++) out[o + e] = x[o + frame + e]! - x[o + e]!;
    }
  }
  return { data: out, shape: [...batch.shape] };
}

/** (child, parent) pairs, 0-based, of the bone stream: the layout's bones plus (centre, centre). */
export function bonePairs(layout: SkeletonLayout = NTU25): (readonly [number, number])[] {
  return [...layout.bones, [layout.center, layout.center] as const];
}

/**
 * Bone stream: bone[v1] = x[v1] - x[v2] for each (v1, v2) of the bone list plus (21, 21), 1-based,
 * as in PSTL/AimCLR; joints that are the child of no pair stay 0 (none on NTU-25).
 */
export function boneStream(batch: SkeletonBatch, layout: SkeletonLayout = NTU25): SkeletonBatch {
  checkBatch(batch, 'boneStream');
  const [n, c, t, v, m] = batch.shape;
  if (v !== layout.numJoints)
    throw new RangeError(
      `boneStream: batch has V = ${v} joints, layout ${layout.name} has ${layout.numJoints}`,
    );
  const x = batch.data;
  const out = new Float32Array(x.length);
  const pairs = bonePairs(layout);
  for (let frame = 0; frame < n * c * t; frame++) {
    const base = frame * v * m;
    for (const [v1, v2] of pairs) {
      for (let p = 0; p < m; p++) out[base + v1 * m + p] = x[base + v1 * m + p]! - x[base + v2 * m + p]!;
    }
  }
  return { data: out, shape: [...batch.shape] };
}

/** The input stream PSTL feeds its encoder: joints as they are, motion, or bones. */
export function getStream(
  batch: SkeletonBatch,
  view: StreamView,
  layout: SkeletonLayout = NTU25,
): SkeletonBatch {
  switch (view) {
    case 'joint':
      checkBatch(batch, 'getStream');
      return { data: batch.data.slice(), shape: [...batch.shape] };
    case 'motion':
      return motionStream(batch);
    case 'bone':
      return boneStream(batch, layout);
    default:
      throw new RangeError(`getStream: unknown view '${String(view)}' (expected joint, motion or bone)`);
  }
}
