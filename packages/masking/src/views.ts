import { motionEnergy, NTU25, type SkeletonBatch, type SkeletonLayout } from '@asma/skeleton';
import type { Rng } from '@asma/util';
import { applyFrameRemoval, applyJointRemoval, applyZeroMask } from './apply.js';
import { MaskingConfigError } from './errors.js';
import { type SpatialMask, type SpatialRule, type SpatialSampler, spatialSampler } from './spatial.js';
import { type TemporalMask, type TemporalRule, type TemporalSampler, temporalSampler } from './temporal.js';

/** One masked view: the rule for its spatial stream and the rule for its temporal stream. */
export interface ViewSpec {
  name: string;
  spatial: SpatialRule;
  temporal: TemporalRule;
}

export interface ViewSampleOptions {
  /** 'batch' (default, PSTL): one joint mask for the whole batch; 'sample': one per clip. */
  spatialPer?: 'batch' | 'sample';
  /** Motion energy (N, T) if already computed for this batch (it is computed otherwise). */
  energy?: Float32Array;
}

/** The masks of one view for one batch. */
export interface ViewMasks {
  name: string;
  /** Joint masks: length 1 (shared by the batch) or N (one per clip). */
  spatial: readonly SpatialMask[];
  temporal: TemporalMask;
  /** Motion energy (N, T) the temporal mask was drawn from. */
  energy: Float32Array;
}

/** The spatial stream (joints hidden) and the temporal stream (frames hidden) of a view. */
export interface MaskedStreams {
  spatial: SkeletonBatch;
  temporal: SkeletonBatch;
}

export interface ViewSampler {
  readonly name: string;
  readonly spec: ViewSpec;
  readonly spatial: SpatialSampler;
  readonly temporal: TemporalSampler;
  sample(batch: SkeletonBatch, rng: Rng, opts?: ViewSampleOptions): ViewMasks;
  /**
   * 'remove' (default): gather the kept joints (needs one joint mask for the batch; slice the
   * adjacency with subAdjacency(A, kept)) and the kept frames per clip. 'zero': same shapes, hidden
   * entries set to 0.
   */
  apply(batch: SkeletonBatch, masks: ViewMasks, output?: 'remove' | 'zero'): MaskedStreams;
}

/** The one joint mask of a batch-level draw; throws if the masks were drawn per clip. */
export function sharedJointMask(masks: ViewMasks): SpatialMask {
  if (masks.spatial.length !== 1) {
    throw new MaskingConfigError(
      'spatialPer',
      `view '${masks.name}' has ${masks.spatial.length} per-clip joint masks; gather-based removal needs one per batch (use output 'zero' or spatialPer 'batch')`,
    );
  }
  return masks.spatial[0]!;
}

/** A validated view sampler (options are checked now). `frames` lets the temporal counts be checked too. */
export function viewSampler(spec: ViewSpec, layout: SkeletonLayout = NTU25, frames?: number): ViewSampler {
  const spatial = spatialSampler(spec.spatial, layout);
  const temporal = temporalSampler(spec.temporal, frames);
  return {
    name: spec.name,
    spec,
    spatial,
    temporal,
    sample(batch, rng, opts = {}) {
      const [n, , t, v] = batch.shape;
      if (v !== layout.numJoints) {
        throw new MaskingConfigError(
          'batch',
          `has ${v} joints, the layout '${layout.name}' has ${layout.numJoints}`,
        );
      }
      const per = opts.spatialPer ?? 'batch';
      if (per !== 'batch' && per !== 'sample') {
        throw new MaskingConfigError('spatialPer', `expected 'batch' or 'sample', got '${per}'`);
      }
      const energy = opts.energy ?? motionEnergy(batch);
      const joints = Array.from({ length: per === 'batch' ? 1 : n }, () => spatial.sample(rng));
      return { name: spec.name, spatial: joints, temporal: temporal.sample(energy, n, t, rng), energy };
    },
    apply(batch, masks, output = 'remove') {
      if (output === 'zero') {
        const joints = masks.spatial.length === 1 ? masks.spatial[0]! : masks.spatial;
        return {
          spatial: applyZeroMask(batch, { joints }),
          temporal: applyZeroMask(batch, { frames: masks.temporal }),
        };
      }
      if (output !== 'remove')
        throw new MaskingConfigError('output', `expected 'remove' or 'zero', got '${output}'`);
      return {
        spatial: applyJointRemoval(batch, sharedJointMask(masks).kept),
        temporal: applyFrameRemoval(batch, masks.temporal),
      };
    },
  };
}

/** A set of views drawn together from one batch (PSTL: one view; ASMa: encoders A and B). */
export interface MaskingStrategy {
  readonly name: string;
  readonly views: readonly ViewSampler[];
  /** Masks for every view, in `views` order; motion energy is computed once. */
  sample(batch: SkeletonBatch, rng: Rng, opts?: ViewSampleOptions): ViewMasks[];
}

export function maskingStrategy(name: string, views: readonly ViewSampler[]): MaskingStrategy {
  if (views.length === 0) throw new MaskingConfigError('views', 'a strategy needs at least one view');
  return {
    name,
    views,
    sample(batch, rng, opts = {}) {
      const energy = opts.energy ?? motionEnergy(batch);
      return views.map((view) => view.sample(batch, rng, { ...opts, energy }));
    },
  };
}
