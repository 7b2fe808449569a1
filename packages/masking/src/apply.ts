import { checkBatch, type SkeletonBatch } from '@asma/skeleton';
import { MaskingConfigError } from './errors.js';
import type { SpatialMask } from './spatial.js';
import type { TemporalMask } from './temporal.js';

/** Gather along V: keep joints `kept` (in the given order), shape (N, C, T, kept.length, M). */
export function applyJointRemoval(batch: SkeletonBatch, kept: readonly number[]): SkeletonBatch {
  checkBatch(batch, 'applyJointRemoval');
  const [n, c, t, v, m] = batch.shape;
  for (const j of kept) {
    if (!Number.isInteger(j) || j < 0 || j >= v) {
      throw new MaskingConfigError('kept', `joint ${j} is outside 0..${v - 1}`);
    }
  }
  const vk = kept.length;
  const x = batch.data;
  const out = new Float32Array(n * c * t * vk * m);
  let o = 0;
  for (let row = 0; row < n * c * t; row++) {
    const base = row * v * m;
    for (let q = 0; q < vk; q++) {
      const src = base + kept[q]! * m;
      for (let p = 0; p < m; p++) out[o++] = x[src + p]!;
    }
  }
  return { data: out, shape: [n, c, t, vk, m] };
}

/** Gather along T per clip: clip s keeps frames mask.kept[s, :], shape (N, C, tKeep, V, M). */
export function applyFrameRemoval(batch: SkeletonBatch, mask: TemporalMask): SkeletonBatch {
  checkBatch(batch, 'applyFrameRemoval');
  const [n, c, t, v, m] = batch.shape;
  checkMaskShape(mask, n, t);
  const frame = v * m;
  const tk = mask.tKeep;
  const x = batch.data;
  const out = new Float32Array(n * c * tk * frame);
  for (let s = 0; s < n; s++) {
    const keep = mask.kept.subarray(s * tk, (s + 1) * tk);
    for (let ch = 0; ch < c; ch++) {
      const src = (s * c + ch) * t * frame;
      const dst = (s * c + ch) * tk * frame;
      for (let q = 0; q < tk; q++) {
        const from = src + keep[q]! * frame;
        out.set(x.subarray(from, from + frame), dst + q * frame);
      }
    }
  }
  return { data: out, shape: [n, c, tk, v, m] };
}

/**
 * What a zero mask hides: `joints` is one SpatialMask for the whole batch or one per clip;
 * `frames` a TemporalMask. Either may be omitted.
 */
export interface ZeroMaskSpec {
  joints?: SpatialMask | readonly SpatialMask[];
  frames?: TemporalMask;
}

/** 1 where (clip, frame, joint) is hidden, shape (N, T, V). */
export function zeroMaskArray(shape: SkeletonBatch['shape'], spec: ZeroMaskSpec): Uint8Array {
  const [n, , t, v] = shape;
  const hidden = new Uint8Array(n * t * v);
  if (spec.joints) {
    const masks = Array.isArray(spec.joints) ? (spec.joints as readonly SpatialMask[]) : null;
    if (masks && masks.length !== n) {
      throw new MaskingConfigError('joints', `has ${masks.length} per-clip masks for a batch of ${n}`);
    }
    for (let s = 0; s < n; s++) {
      const mask = masks ? masks[s]! : (spec.joints as SpatialMask);
      for (const j of mask.removed) {
        if (j < 0 || j >= v) throw new MaskingConfigError('joints', `joint ${j} is outside 0..${v - 1}`);
        for (let f = 0; f < t; f++) hidden[(s * t + f) * v + j] = 1;
      }
    }
  }
  if (spec.frames) {
    const fm = spec.frames;
    checkMaskShape(fm, n, t);
    const r = fm.frames - fm.tKeep;
    for (let s = 0; s < n; s++) {
      for (let q = 0; q < r; q++)
        hidden.fill(1, (s * t + fm.removed[s * r + q]!) * v, (s * t + fm.removed[s * r + q]! + 1) * v);
    }
  }
  return hidden;
}

/** A copy of `batch` with the hidden joints and frames set to 0 (shape unchanged). */
export function applyZeroMask(batch: SkeletonBatch, spec: ZeroMaskSpec): SkeletonBatch {
  checkBatch(batch, 'applyZeroMask');
  const [n, c, t, v, m] = batch.shape;
  const hidden = zeroMaskArray(batch.shape, spec);
  const data = batch.data.slice();
  for (let s = 0; s < n; s++) {
    for (let ch = 0; ch < c; ch++) {
      for (let f = 0; f < t; f++) {
        const h = (s * t + f) * v;
        const o = ((s * c + ch) * t + f) * v * m;
        for (let j = 0; j < v; j++) {
          // A plain loop: fill() on 2-element ranges costs more than it saves.
          if (hidden[h + j]) for (let p = o + j * m; p < o + (j + 1) * m; p++) data[p] = 0;
        }
      }
    }
  }
  return { data, shape: [n, c, t, v, m] };
}

function checkMaskShape(mask: TemporalMask, n: number, t: number): void {
  if (mask.n !== n || mask.frames !== t) {
    throw new MaskingConfigError(
      'frames',
      `mask is for ${mask.n} clips x ${mask.frames} frames, the batch has ${n} x ${t}`,
    );
  }
}
