import { NTU25, type SkeletonBatch, type SkeletonLayout } from '@asma/skeleton';
import type { Rng } from '@asma/util';
import type { SpatialRule } from './spatial.js';
import type { TemporalRule } from './temporal.js';
import {
  type MaskingStrategy,
  maskingStrategy,
  type ViewMasks,
  type ViewSampleOptions,
  viewSampler,
} from './views.js';
import type { JointWeighting } from './weights.js';

export interface PresetOptions {
  layout?: SkeletonLayout;
  /** Clip length, to validate the frame counts up front (e.g. 50). */
  frames?: number;
  /** Multiset draws for the spatial streams (default 8, PSTL). */
  draws?: number;
  /** Frames dropped by motion (default 10, PSTL). */
  motionDrops?: number;
  /** Frames dropped at random afterwards (default 10, PSTL). */
  randomDrops?: number;
  /** 'topk' (default, PSTL) or motion-weighted 'sampled'. */
  selection?: 'topk' | 'sampled';
}

const temporal = (drop: 'highest' | 'lowest', o: PresetOptions): TemporalRule => ({
  drop,
  count: o.motionDrops ?? 10,
  randomDrops: o.randomDrops ?? 10,
  selection: o.selection ?? 'topk',
});

/** PSTL's masking: central spatial masking (multiset by degree, 8 draws) + drop the 10 highest-motion frames and 10 random. */
export function pstlViews(o: PresetOptions = {}): MaskingStrategy {
  const spatial: SpatialRule = { kind: 'multiset', weights: 'degree', draws: o.draws ?? 8 };
  return maskingStrategy('pstl', [
    viewSampler({ name: 'pstl', spatial, temporal: temporal('highest', o) }, o.layout ?? NTU25, o.frames),
  ]);
}

export interface AsmaOptions extends PresetOptions {
  /**
   * Encoder B's low-degree weighting. Default 'inverse': the multiset rule with multiplicity
   * d_max + 1 - d (PSTL's draw mechanism, bias reversed). 'reciprocal' draws exactly `draws`
   * distinct joints with probability proportional to 1/d instead. Any JointWeighting with
   * integer values also works with the multiset rule.
   */
  lowDegree?: JointWeighting;
  /** Rule for encoder B's spatial stream: 'multiset' (default) or 'weighted' (exactly `draws` joints). */
  lowDegreeRule?: 'multiset' | 'weighted';
}

/** The ASMa pair as one strategy; `samplePair` names the two encoders' masks. */
export interface AsmaStrategy extends MaskingStrategy {
  samplePair(batch: SkeletonBatch, rng: Rng, opts?: ViewSampleOptions): { a: ViewMasks; b: ViewMasks };
}

/**
 * ASMa's asymmetric pair. View A (encoder A): high-degree joints (PSTL's multiset by degree) +
 * the 10 LOWEST-motion frames then 10 random. View B (encoder B): low-degree joints (inverse
 * weighting) + the 10 HIGHEST-motion frames then 10 random.
 */
export function asmaViews(o: AsmaOptions = {}): AsmaStrategy {
  const layout = o.layout ?? NTU25;
  const draws = o.draws ?? 8;
  const lowDegree = o.lowDegree ?? (o.lowDegreeRule === 'weighted' ? 'reciprocal' : 'inverse');
  const spatialB: SpatialRule =
    o.lowDegreeRule === 'weighted'
      ? { kind: 'weighted', weights: lowDegree, count: draws }
      : { kind: 'multiset', weights: lowDegree, draws };
  const a = viewSampler(
    {
      name: 'asma-a',
      spatial: { kind: 'multiset', weights: 'degree', draws },
      temporal: temporal('lowest', o),
    },
    layout,
    o.frames,
  );
  const b = viewSampler(
    { name: 'asma-b', spatial: spatialB, temporal: temporal('highest', o) },
    layout,
    o.frames,
  );
  const strategy = maskingStrategy('asma', [a, b]);
  return {
    ...strategy,
    samplePair(batch, rng, opts) {
      const [ma, mb] = strategy.sample(batch, rng, opts);
      return { a: ma!, b: mb! };
    },
  };
}

export interface RandomOptions {
  layout?: SkeletonLayout;
  frames?: number;
  /** Joints masked uniformly at random (default 8). */
  joints?: number;
  /** Frames dropped uniformly at random (default 20, as many as PSTL drops in total). */
  frameDrops?: number;
}

/** A motion- and degree-blind control: uniform random joints and uniform random frames. */
export function randomViews(o: RandomOptions = {}): MaskingStrategy {
  return maskingStrategy('random', [
    viewSampler(
      {
        name: 'random',
        spatial: { kind: 'uniform', count: o.joints ?? 8 },
        temporal: { drop: 'none', randomDrops: o.frameDrops ?? 20 },
      },
      o.layout ?? NTU25,
      o.frames,
    ),
  ]);
}

/**
 * The frames each view drops by motion and then at random for clips of `frames` frames: PSTL's
 * 10 + 10 of 50, the same fractions (20 % each, rounded) for other lengths, at least one frame kept.
 * `asma pretrain`, `asma masks`, the demo and the viewer all use it, so they draw the same masks.
 */
export function scaledDropCounts(frames: number): { motionDrops: number; randomDrops: number } {
  const each = Math.max(0, Math.min(Math.round(frames * 0.2), Math.floor((frames - 1) / 2)));
  return { motionDrops: each, randomDrops: each };
}

/**
 * A preset by name: 'asma', 'pstl' or 'random'. For 'random', `draws` is the number of joints and
 * motionDrops + randomDrops the frames dropped (as `asma pretrain --method random` reads them).
 */
export function strategyByName(name: string, o: PresetOptions = {}): MaskingStrategy {
  switch (name) {
    case 'asma':
      return asmaViews(o);
    case 'pstl':
      return pstlViews(o);
    case 'random':
      return randomViews({
        layout: o.layout,
        frames: o.frames,
        joints: o.draws,
        frameDrops:
          o.motionDrops === undefined && o.randomDrops === undefined
            ? undefined
            : (o.motionDrops ?? 10) + (o.randomDrops ?? 10),
      });
    default:
      throw new RangeError(`unknown masking strategy '${name}' (expected asma, pstl or random)`);
  }
}
