/** fast-check arbitraries for property tests of ops: shapes, broadcast pairs, tensors, axes, permutations. */
import fc from 'fast-check';
import { type DType, Tensor } from '../tensor.js';

export interface ShapeConstraints {
  minRank?: number;
  maxRank?: number;
  minDim?: number;
  maxDim?: number;
}

/** A shape with rank in [minRank, maxRank] (default 0..4) and dims in [minDim, maxDim] (default 1..4). */
export function arbShape(c: ShapeConstraints = {}): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: c.minDim ?? 1, max: c.maxDim ?? 4 }), {
    minLength: c.minRank ?? 0,
    maxLength: c.maxRank ?? 4,
  });
}

/** Two shapes that broadcast together (NumPy rules): some dims of each are 1 and ranks may differ. */
export function arbBroadcastShapes(c: ShapeConstraints = {}): fc.Arbitrary<[number[], number[]]> {
  return arbShape(c).chain((full) =>
    fc
      .tuple(
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: full.length, maxLength: full.length }),
        fc.integer({ min: 0, max: full.length }),
        fc.integer({ min: 0, max: full.length }),
      )
      .map(([modes, dropA, dropB]) => {
        // mode 0: both full; 1: a has 1; 2: b has 1.
        const a = full.map((d, i) => (modes[i] === 1 ? 1 : d));
        const b = full.map((d, i) => (modes[i] === 2 ? 1 : d));
        return [a.slice(Math.min(dropA, a.length)), b.slice(Math.min(dropB, b.length))] as [
          number[],
          number[],
        ];
      }),
  );
}

/** `size` finite doubles in [lo, hi] (fast-check favours the bounds and 0, so expect repeats and ties). */
export function arbValues(size: number, lo = -2, hi = 2): fc.Arbitrary<number[]> {
  return fc.array(fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true }), {
    minLength: size,
    maxLength: size,
  });
}

export interface TensorConstraints {
  lo?: number;
  hi?: number;
  dtype?: DType;
  /** Keep |x| >= this, to stay away from kinks (relu, abs) in gradient checks. */
  awayFromZero?: number;
}

/** A tensor of the given shape with values in [lo, hi] (default [-2, 2], float64). */
export function arbTensor(shape: readonly number[], c: TensorConstraints = {}): fc.Arbitrary<Tensor> {
  let n = 1;
  for (const d of shape) n *= d;
  const gap = c.awayFromZero ?? 0;
  return arbValues(n, c.lo ?? -2, c.hi ?? 2).map((vals) => {
    const data = c.dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = vals[i]!;
      data[i] = Math.abs(v) < gap ? (v < 0 ? -gap : gap) : v;
    }
    return new Tensor(data, shape);
  });
}

/** A shape together with a tensor of that shape. */
export function arbShapedTensor(s: ShapeConstraints = {}, c: TensorConstraints = {}): fc.Arbitrary<Tensor> {
  return arbShape(s).chain((shape) => arbTensor(shape, c));
}

/** A permutation of 0..n-1. */
export function arbPermutation(n: number): fc.Arbitrary<number[]> {
  return fc.shuffledSubarray(
    Array.from({ length: n }, (_, i) => i),
    { minLength: n, maxLength: n },
  );
}

/** A valid axis for rank n (n >= 1), possibly negative. */
export function arbAxis(n: number): fc.Arbitrary<number> {
  return fc.integer({ min: -n, max: n - 1 });
}

/** A non-empty set of distinct axes for rank n (n >= 1), sorted. */
export function arbAxes(n: number): fc.Arbitrary<number[]> {
  return fc
    .uniqueArray(fc.integer({ min: 0, max: n - 1 }), { minLength: 1, maxLength: n })
    .map((a) => a.sort((p, q) => p - q));
}
