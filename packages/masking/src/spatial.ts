import { jointDegree, NTU25, type SkeletonLayout } from '@asma/skeleton';
import type { Rng } from '@asma/util';
import { checkCount, MaskingConfigError } from './errors.js';
import { type BodyPart, bodyParts, resolveParts } from './parts.js';
import { multisetDraw, uniformSample, weightedSampleWithoutReplacement } from './sampling.js';
import { type JointWeighting, resolveWeights } from './weights.js';

/** Joints a spatial mask hides (`removed`) and keeps (`kept`), both sorted ascending. */
export interface SpatialMask {
  removed: number[];
  kept: number[];
}

/**
 * How joints are chosen:
 * - 'multiset' (PSTL's central masking): joint j appears w_j times (w integer, default 'degree'),
 *   `draws` items (default 8) are drawn without replacement and duplicates collapse, so the mask
 *   has between 1 and `draws` joints.
 * - 'weighted': exactly `count` distinct joints, each step proportional to w among the rest.
 * - 'uniform': exactly `count` distinct joints uniformly at random.
 * - 'parts': whole body parts: the listed `parts`, or `choose` of them at random (default 1 of
 *   every part of the layout).
 * - 'none': nothing masked.
 */
export type SpatialRule =
  | { kind: 'multiset'; weights?: JointWeighting; draws?: number }
  | { kind: 'weighted'; weights?: JointWeighting; count: number }
  | { kind: 'uniform'; count: number }
  | { kind: 'parts'; parts?: readonly (string | BodyPart)[]; choose?: number }
  | { kind: 'none' };

export interface SpatialSampler {
  readonly rule: SpatialRule;
  readonly numJoints: number;
  /** One mask; consumes draws from `rng`. */
  sample(rng: Rng): SpatialMask;
}

/** Build the sorted removed/kept lists from a removed set. */
export function spatialMaskFrom(removed: Iterable<number>, numJoints: number): SpatialMask {
  const set = new Set(removed);
  const kept: number[] = [];
  const gone: number[] = [];
  for (let j = 0; j < numJoints; j++) (set.has(j) ? gone : kept).push(j);
  return { removed: gone, kept };
}

function noneLeft(option: string, why: string): MaskingConfigError {
  return new MaskingConfigError(option, `${why}: no joint would be left`);
}

/** A validated spatial sampler; every bad option throws a MaskingConfigError here, not at sampling. */
export function spatialSampler(rule: SpatialRule, layout: SkeletonLayout = NTU25): SpatialSampler {
  const v = layout.numJoints;
  const degrees = jointDegree(layout);
  let sample: (rng: Rng) => SpatialMask;
  switch (rule.kind) {
    case 'multiset': {
      const draws = rule.draws ?? 8;
      checkCount(draws, 'spatial.draws');
      const mult = resolveWeights(rule.weights ?? 'degree', degrees, 'spatial.weights', true);
      const total = mult.reduce((a, b) => a + b, 0);
      if (draws > total) {
        throw new MaskingConfigError(
          'spatial.draws',
          `${draws} draws from a multiset of only ${total} items`,
        );
      }
      // Every joint can be drawn once each when all are in the multiset and there are >= V draws.
      if (mult.every((m) => m > 0) && draws >= v) {
        throw noneLeft('spatial.draws', `${draws} draws can remove all ${v} joints`);
      }
      sample = (rng) => {
        const drawn = multisetDraw(mult, draws, rng);
        const removed: number[] = [];
        for (let j = 0; j < drawn.length; j++) if (drawn[j]! > 0) removed.push(j);
        return spatialMaskFrom(removed, v);
      };
      break;
    }
    case 'weighted': {
      checkCount(rule.count, 'spatial.count');
      if (rule.count >= v) throw noneLeft('spatial.count', `${rule.count} of ${v} joints`);
      const w = resolveWeights(rule.weights ?? 'inverse', degrees, 'spatial.weights');
      const positive = w.filter((x) => x > 0).length;
      if (rule.count > positive) {
        throw new MaskingConfigError(
          'spatial.count',
          `${rule.count} joints but only ${positive} have weight > 0`,
        );
      }
      sample = (rng) => spatialMaskFrom(weightedSampleWithoutReplacement(w, rule.count, rng), v);
      break;
    }
    case 'uniform': {
      checkCount(rule.count, 'spatial.count');
      if (rule.count >= v) throw noneLeft('spatial.count', `${rule.count} of ${v} joints`);
      sample = (rng) => spatialMaskFrom(uniformSample(v, rule.count, rng), v);
      break;
    }
    case 'parts': {
      const parts = rule.parts ? resolveParts(rule.parts, layout, 'spatial.parts') : [...bodyParts(layout)];
      if (parts.length === 0) throw new MaskingConfigError('spatial.parts', 'is empty');
      const choose = rule.choose ?? (rule.parts ? parts.length : 1);
      checkCount(choose, 'spatial.choose');
      if (choose > parts.length) {
        throw new MaskingConfigError('spatial.choose', `${choose} parts but only ${parts.length} are listed`);
      }
      const partsMask = (picked: readonly BodyPart[]) => {
        const mask = spatialMaskFrom(
          picked.flatMap((p) => p.joints),
          v,
        );
        // Overlapping custom parts could still cover everything; the check below catches the usual case.
        if (mask.kept.length === 0) throw noneLeft('spatial.parts', `parts ${picked.map((p) => p.name)}`);
        return mask;
      };
      const largest = [...parts].sort((a, b) => b.joints.length - a.joints.length);
      if (
        spatialMaskFrom(
          largest.slice(0, choose).flatMap((p) => p.joints),
          v,
        ).kept.length === 0
      ) {
        throw noneLeft('spatial.choose', `masking ${choose} of these parts`);
      }
      sample =
        choose === parts.length
          ? () => partsMask(parts)
          : (rng) => partsMask(uniformSample(parts.length, choose, rng).map((i) => parts[i]!));
      break;
    }
    case 'none':
      sample = () => spatialMaskFrom([], v);
      break;
    default:
      throw new MaskingConfigError('spatial.kind', `unknown rule '${(rule as { kind: string }).kind}'`);
  }
  return { rule, numJoints: v, sample };
}

/**
 * Exact probability that each joint is masked by the multiset rule: 1 - C(M - m_j, k) / C(M, k)
 * for multiplicities m (total M) and k draws. For PSTL (m = degree, M = 48, k = 8) a degree-4
 * joint is masked with probability 0.530, a degree-1 joint with 0.167.
 */
export function multisetInclusion(multiplicity: readonly number[], draws: number): number[] {
  const total = multiplicity.reduce((a, b) => a + b, 0);
  return multiplicity.map((m) => {
    // C(M - m, k) / C(M, k) = prod_{i<k} (M - m - i) / (M - i)
    let missed = 1;
    for (let i = 0; i < draws; i++) missed *= Math.max(0, total - m - i) / (total - i);
    return 1 - missed;
  });
}
