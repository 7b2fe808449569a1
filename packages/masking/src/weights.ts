import { MaskingConfigError } from './errors.js';

/**
 * How much each joint is favoured by a spatial sampler, as a function of its degree in the
 * skeleton graph. Named presets:
 * - 'degree':     w = d                  (PSTL's central masking: high-degree joints favoured)
 * - 'inverse':    w = d_max + 1 - d      (ASMa default: low-degree joints favoured, integer)
 * - 'reciprocal': w = 1 / d              (low-degree joints favoured, proportional)
 * - 'uniform':    w = 1
 * or an explicit per-joint array, or a function of (degree, joint, maxDegree).
 */
export type JointWeighting =
  | 'degree'
  | 'inverse'
  | 'reciprocal'
  | 'uniform'
  | readonly number[]
  | ((degree: number, joint: number, maxDegree: number) => number);

/**
 * Per-joint weights for `degrees`. `integer` is required by the multiset rule (a joint appears
 * w_j times). Throws a MaskingConfigError naming `option` for a length mismatch, a negative, NaN
 * or non-finite weight, a non-integer multiplicity, or all-zero weights.
 */
export function resolveWeights(
  weighting: JointWeighting,
  degrees: readonly number[],
  option: string,
  integer = false,
): number[] {
  const maxDegree = Math.max(...degrees);
  let w: number[];
  if (typeof weighting === 'string') {
    switch (weighting) {
      case 'degree':
        w = [...degrees];
        break;
      case 'inverse':
        w = degrees.map((d) => maxDegree + 1 - d);
        break;
      case 'reciprocal':
        w = degrees.map((d) => (d > 0 ? 1 / d : 0));
        break;
      case 'uniform':
        w = degrees.map(() => 1);
        break;
      default:
        throw new MaskingConfigError(
          option,
          `unknown weighting '${weighting as string}' (expected 'degree', 'inverse', 'reciprocal', 'uniform', an array or a function)`,
        );
    }
  } else if (typeof weighting === 'function') {
    w = degrees.map((d, j) => weighting(d, j, maxDegree));
  } else {
    if (weighting.length !== degrees.length) {
      throw new MaskingConfigError(
        option,
        `has ${weighting.length} weights but the layout has ${degrees.length} joints`,
      );
    }
    w = [...weighting];
  }
  w.forEach((x, j) => {
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) {
      throw new MaskingConfigError(option, `weight of joint ${j} must be a finite number >= 0, got ${x}`);
    }
    if (integer && !Number.isInteger(x)) {
      throw new MaskingConfigError(
        option,
        `the multiset rule needs integer multiplicities, joint ${j} has ${x} (use rule 'weighted' for real weights)`,
      );
    }
  });
  if (!w.some((x) => x > 0)) throw new MaskingConfigError(option, 'all weights are zero');
  return w;
}
