import { motionEnergy, type SkeletonBatch } from '@asma/skeleton';
import type { Rng } from '@asma/util';
import { checkCount, MaskingConfigError, NonFiniteEnergyError } from './errors.js';
import { uniformSample, weightedSampleWithoutReplacement } from './sampling.js';

/**
 * Which frames a temporal mask removes. First `count` frames by motion energy
 * e_t = mean over (c, v, m) of (x[t+1] - x[t])^2 (e_{T-1} = 0):
 * - drop 'highest' (PSTL, ASMa encoder B) or 'lowest' (ASMa encoder A) or 'none';
 * - selection 'topk' (deterministic; ties go to the lower frame index first) or 'sampled'
 *   (without replacement, probability proportional to e_t - min(e) + floor for 'highest' and to
 *   max(e) - e_t + floor for 'lowest', floor = 1e-3 * (max(e) - min(e)); uniform if e is flat;
 *   with PSTL's energy min(e) = e_{T-1} = 0, so 'highest' is p ~ e_t + floor).
 * Then `randomDrops` more frames uniformly among the rest. Kept frames stay in time order.
 */
export interface TemporalRule {
  drop: 'highest' | 'lowest' | 'none';
  /** Frames removed by motion (default 10; ignored for drop 'none'). */
  count?: number;
  selection?: 'topk' | 'sampled';
  /** Frames removed uniformly at random after the motion drop (default 10). */
  randomDrops?: number;
  /**
   * 'sample' (default): each clip ranks its own energy, so kept frames differ per clip.
   * 'batch': rank the batch-mean energy, so every clip keeps the same frames.
   */
  energyPer?: 'sample' | 'batch';
  /** 'batch' (default, PSTL): one random draw of slot positions shared by the batch; 'sample': one per clip. */
  randomPer?: 'batch' | 'sample';
}

/**
 * Frames kept and removed per clip, rows of increasing frame indices:
 * `kept` is (n, tKeep), `removed` is (n, frames - tKeep), `byMotion` is (n, count): the removed
 * frames chosen by motion (the rest of `removed` were random drops).
 */
export interface TemporalMask {
  n: number;
  frames: number;
  tKeep: number;
  kept: Int32Array;
  removed: Int32Array;
  byMotion: Int32Array;
  /** True when every row is the same, so one index list serves the whole batch. */
  shared: boolean;
}

export interface TemporalSampler {
  readonly rule: Required<TemporalRule>;
  /** Frames removed in total. */
  readonly removedCount: number;
  /** Mask from precomputed energies (n * frames values, row-major). */
  sample(energy: Float32Array, n: number, frames: number, rng: Rng): TemporalMask;
  /** Mask for a batch (its motion energy is computed here). */
  sampleBatch(batch: SkeletonBatch, rng: Rng): TemporalMask;
  /** Throw unless a clip of `frames` frames keeps at least one. */
  checkFrames(frames: number): void;
}

/** A validated temporal sampler. `frames`, if given, is checked now rather than at the first sample. */
export function temporalSampler(rule: TemporalRule, frames?: number): TemporalSampler {
  const full: Required<TemporalRule> = {
    drop: rule.drop,
    count: rule.drop === 'none' ? 0 : (rule.count ?? 10),
    selection: rule.selection ?? 'topk',
    randomDrops: rule.randomDrops ?? 10,
    energyPer: rule.energyPer ?? 'sample',
    randomPer: rule.randomPer ?? 'batch',
  };
  if (!['highest', 'lowest', 'none'].includes(full.drop)) {
    throw new MaskingConfigError(
      'temporal.drop',
      `expected 'highest', 'lowest' or 'none', got '${full.drop}'`,
    );
  }
  if (!['topk', 'sampled'].includes(full.selection)) {
    throw new MaskingConfigError(
      'temporal.selection',
      `expected 'topk' or 'sampled', got '${full.selection}'`,
    );
  }
  for (const key of ['energyPer', 'randomPer'] as const) {
    if (full[key] !== 'sample' && full[key] !== 'batch') {
      throw new MaskingConfigError(`temporal.${key}`, `expected 'sample' or 'batch', got '${full[key]}'`);
    }
  }
  checkCount(full.count, 'temporal.count');
  checkCount(full.randomDrops, 'temporal.randomDrops');
  const removedCount = full.count + full.randomDrops;
  const checkFrames = (t: number) => {
    if (removedCount >= t) {
      throw new MaskingConfigError(
        'temporal',
        `count ${full.count} + randomDrops ${full.randomDrops} removes all ${t} frames; at least one must be kept`,
      );
    }
  };
  if (frames !== undefined) checkFrames(frames);

  const sample = (energy: Float32Array, n: number, t: number, rng: Rng): TemporalMask => {
    checkFrames(t);
    if (energy.length !== n * t) {
      throw new MaskingConfigError('energy', `has ${energy.length} values, expected n * frames = ${n * t}`);
    }
    for (let i = 0; i < energy.length; i++) {
      if (!Number.isFinite(energy[i]!)) {
        throw new NonFiniteEnergyError(Math.floor(i / t), i % t, energy[i]!);
      }
    }
    const tKeep = t - removedCount;
    const kept = new Int32Array(n * tKeep);
    const removed = new Int32Array(n * removedCount);
    const byMotion = new Int32Array(n * full.count);
    const batchEnergy = full.energyPer === 'batch' ? meanRows(energy, n, t) : null;
    const batchMotion = batchEnergy ? motionDrop(batchEnergy, full, rng) : null;
    const batchSlots =
      full.randomPer === 'batch' ? uniformSample(t - full.count, full.randomDrops, rng) : null;
    const dropped = new Uint8Array(t);
    for (let s = 0; s < n; s++) {
      const motion = batchMotion ?? motionDrop(energy.subarray(s * t, (s + 1) * t), full, rng);
      const slots = batchSlots ?? uniformSample(t - full.count, full.randomDrops, rng);
      dropped.fill(0);
      for (const f of motion) dropped[f] = 1;
      // Random drops pick positions among the frames left after the motion drop, as PSTL does.
      const isSlotDropped = new Uint8Array(t - full.count);
      for (const p of slots) isSlotDropped[p] = 1;
      for (let f = 0, slot = 0; f < t; f++) {
        if (dropped[f]) continue;
        if (isSlotDropped[slot++]) dropped[f] = 2;
      }
      let k = s * tKeep;
      let r = s * removedCount;
      let b = s * full.count;
      for (let f = 0; f < t; f++) {
        if (dropped[f] === 0) kept[k++] = f;
        else removed[r++] = f;
        if (dropped[f] === 1) byMotion[b++] = f;
      }
    }
    const shared = n <= 1 || (batchMotion !== null && batchSlots !== null);
    return { n, frames: t, tKeep, kept, removed, byMotion, shared };
  };

  return {
    rule: full,
    removedCount,
    sample,
    sampleBatch: (batch, rng) => sample(motionEnergy(batch), batch.shape[0], batch.shape[2], rng),
    checkFrames,
  };
}

/** The frames one clip drops by motion, per the rule. */
function motionDrop(e: Float32Array, rule: Required<TemporalRule>, rng: Rng): number[] {
  const t = e.length;
  if (rule.count === 0) return [];
  if (rule.selection === 'topk') {
    const order = Array.from({ length: t }, (_, i) => i);
    const sign = rule.drop === 'highest' ? -1 : 1;
    // Stable tie-break: among equal energies the lower frame index is dropped first.
    order.sort((a, b) => sign * (e[a]! - e[b]!) || a - b);
    return order.slice(0, rule.count);
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of e) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  const floor = 1e-3 * (hi - lo);
  const w = new Float64Array(t);
  for (let f = 0; f < t; f++) {
    w[f] = hi === lo ? 1 : (rule.drop === 'highest' ? e[f]! - lo : hi - e[f]!) + floor;
  }
  return weightedSampleWithoutReplacement(w, rule.count, rng);
}

function meanRows(e: Float32Array, n: number, t: number): Float32Array {
  const acc = new Float64Array(t);
  for (let s = 0; s < n; s++) for (let f = 0; f < t; f++) acc[f]! += e[s * t + f]!;
  return Float32Array.from(acc, (x) => x / Math.max(1, n));
}
