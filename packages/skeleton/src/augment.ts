import type { Rng } from '@asma/util';
import { checkBatch, type SkeletonBatch } from './batch.js';
import { NTU25, type SkeletonLayout } from './layout.js';

/**
 * PSTL's augmentations (model.py of the public PSTL code) on (N, 3, T, V, M) batches. Each returns
 * a new batch and never modifies its input. By default one random draw serves the whole batch, as
 * in PSTL; `perSample: true` draws once per clip instead (in clip order). All draws go through the
 * Rng passed in, in the order PSTL's code makes them.
 */
export type Augmentation = (batch: SkeletonBatch, rng: Rng) => SkeletonBatch;

export interface DrawOptions {
  /** One random draw per clip instead of one per batch. */
  perSample?: boolean;
}

/** Row-major 3x3 matrix acting on column vectors: x'[d] = sum_c M[d * 3 + c] x[c]. */
export type Mat3 = readonly number[];

/** Apply one 3x3 matrix per clip (or one for all when `matrices.length === 1`) to the coordinates. */
export function transformCoords(batch: SkeletonBatch, matrices: readonly Mat3[]): SkeletonBatch {
  checkBatch(batch, 'transformCoords');
  const [n, c, t, v, m] = batch.shape;
  if (c !== 3) throw new RangeError(`transformCoords: expected C = 3 coordinates, got ${c}`);
  if (matrices.length !== 1 && matrices.length !== n)
    throw new RangeError(`transformCoords: need 1 or ${n} matrices, got ${matrices.length}`);
  const plane = t * v * m;
  const x = batch.data;
  const out = new Float32Array(x.length);
  for (let s = 0; s < n; s++) {
    const M = matrices.length === 1 ? matrices[0]! : matrices[s]!;
    const b = s * 3 * plane;
    for (let e = 0; e < plane; e++) {
      const x0 = x[b + e]!;
      const x1 = x[b + plane + e]!;
      const x2 = x[b + 2 * plane + e]!;
      out[b + e] = M[0]! * x0 + M[1]! * x1 + M[2]! * x2;
      out[b + plane + e] = M[3]! * x0 + M[4]! * x1 + M[5]! * x2;
      out[b + 2 * plane + e] = M[6]! * x0 + M[7]! * x1 + M[8]! * x2;
    }
  }
  return { data: out, shape: [...batch.shape] };
}

function draws<T>(batch: SkeletonBatch, opts: DrawOptions, draw: () => T): T[] {
  const count = opts.perSample ? batch.shape[0] : 1;
  return Array.from({ length: count }, draw);
}

// ---------------------------------------------------------------- temporal crop

/**
 * Mirror-pad then crop, PSTL's `crop`: p = floor(T / ratio) frames are added at each end, the
 * first p frames reversed in front (x[p-1], ..., x[0]) and the last p reversed behind
 * (x[T-1], ..., x[T-p]) — the edge frame is repeated, as torch.flip of a slice does — and the
 * window [start, start + T) of the padded T + 2p frames is kept, start in 0..2p. start = p is the
 * identity. With p = 0 (T < ratio) PSTL's slicing also returns the input unchanged.
 */
export function cropWindow(batch: SkeletonBatch, starts: readonly number[], paddingRatio = 6): SkeletonBatch {
  checkBatch(batch, 'cropWindow');
  const [n, c, t, v, m] = batch.shape;
  const p = Math.floor(t / paddingRatio);
  if (starts.length !== 1 && starts.length !== n)
    throw new RangeError(`cropWindow: need 1 or ${n} starts, got ${starts.length}`);
  for (const s of starts)
    if (!Number.isInteger(s) || s < 0 || s > 2 * p)
      throw new RangeError(`cropWindow: start ${s} outside 0..${2 * p}`);
  const frame = v * m;
  const x = batch.data;
  const out = new Float32Array(x.length);
  for (let s = 0; s < n; s++) {
    const start = p === 0 ? 0 : starts.length === 1 ? starts[0]! : starts[s]!;
    for (let f = 0; f < t; f++) {
      const i = start + f; // index into the padded sequence
      const src = i < p ? p - 1 - i : i < p + t ? i - p : t - 1 - (i - p - t);
      for (let ch = 0; ch < c; ch++) {
        const base = (s * c + ch) * t * frame;
        out.set(x.subarray(base + src * frame, base + (src + 1) * frame), base + f * frame);
      }
    }
  }
  return { data: out, shape: [...batch.shape] };
}

export interface CropOptions extends DrawOptions {
  /** p = floor(T / paddingRatio) (PSTL: temperal_padding_ratio = 6). */
  paddingRatio?: number;
}

/** Random temporal crop: start uniform in 0..2p (torch.randint(0, 2p + 1)). */
export function temporalCrop(batch: SkeletonBatch, rng: Rng, opts: CropOptions = {}): SkeletonBatch {
  const ratio = opts.paddingRatio ?? 6;
  const p = Math.floor(batch.shape[2] / ratio);
  return cropWindow(
    batch,
    draws(batch, opts, () => rng.int(2 * p + 1)),
    ratio,
  );
}

// ---------------------------------------------------------------- shear

/**
 * PSTL's shear acts on row vectors: x' = x S, S = [[1, a, b], [c, 1, d], [e, f, 1]]
 * (einsum 'n c t v m, c d -> n d t v m'), i.e. x'[d] = sum_c x[c] S[c][d]. Returns S row-major.
 */
export function shearMatrix(a: number, b: number, c: number, d: number, e: number, f: number): Mat3 {
  return [1, a, b, c, 1, d, e, f, 1];
}

/** Apply shear matrices (row-major S, row-vector convention x' = x S). */
export function applyShear(batch: SkeletonBatch, shears: readonly Mat3[]): SkeletonBatch {
  return transformCoords(batch, shears.map(transpose));
}

export interface ShearOptions extends DrawOptions {
  /** Off-diagonals uniform in (-amplitude, amplitude) (PSTL: shear_amp = 1). */
  amplitude?: number;
}

/** Random shear: the six off-diagonals drawn in row-major order (a, b, c, d, e, f). */
export function shear(batch: SkeletonBatch, rng: Rng, opts: ShearOptions = {}): SkeletonBatch {
  const amp = opts.amplitude ?? 1;
  const u = (): number => rng.uniform(-amp, amp);
  return applyShear(
    batch,
    draws(batch, opts, () => {
      const [a, b, c, d, e, f] = [u(), u(), u(), u(), u(), u()];
      return shearMatrix(a!, b!, c!, d!, e!, f!);
    }),
  );
}

// ---------------------------------------------------------------- rotation

/**
 * Rotation about axis 0 (x), 1 (y) or 2 (z) by `angle` radians as PSTL applies it: PSTL builds
 * R_x = [[1,0,0],[0,cos,sin],[0,-sin,cos]] (and R_y, R_z alike), transposes it and multiplies row
 * vectors, which is x' = R x. Returned row-major for column vectors.
 */
export function axisRotation(axis: 0 | 1 | 2, angle: number): Mat3 {
  const co = Math.cos(angle);
  const si = Math.sin(angle);
  if (axis === 0) return [1, 0, 0, 0, co, si, 0, -si, co];
  if (axis === 1) return [co, 0, -si, 0, 1, 0, si, 0, co];
  return [co, si, 0, -si, co, 0, 0, 0, 1];
}

/** Matrix product A B (row-major 3x3). */
export function matmul3(a: Mat3, b: Mat3): Mat3 {
  const out = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) out[i * 3 + j]! += a[i * 3 + k]! * b[k * 3 + j]!;
  return out;
}

function transpose(m: Mat3): Mat3 {
  return [m[0]!, m[3]!, m[6]!, m[1]!, m[4]!, m[7]!, m[2]!, m[5]!, m[8]!];
}

/** PSTL applies the x, then y, then z rotation: x' = R_z R_y R_x x. Angles in radians. */
export function rotationXYZ(ax: number, ay: number, az: number): Mat3 {
  return matmul3(axisRotation(2, az), matmul3(axisRotation(1, ay), axisRotation(0, ax)));
}

export interface RotateOptions extends DrawOptions {
  /** Main axis angle U(0, mainDegrees) (PSTL: 30). */
  mainDegrees?: number;
  /** Other axes U(0, otherDegrees) (PSTL: 1). */
  otherDegrees?: number;
}

/** Random rotation: main axis uniform in {x, y, z}, then one angle per axis in x, y, z order. */
export function randomRotate(batch: SkeletonBatch, rng: Rng, opts: RotateOptions = {}): SkeletonBatch {
  const main = opts.mainDegrees ?? 30;
  const other = opts.otherDegrees ?? 1;
  return transformCoords(
    batch,
    draws(batch, opts, () => {
      const mainAxis = rng.int(3);
      const deg = [0, 1, 2].map((axis) => rng.uniform(0, axis === mainAxis ? main : other));
      const [ax, ay, az] = deg.map((d) => (d * Math.PI) / 180);
      return rotationXYZ(ax!, ay!, az!);
    }),
  );
}

// ---------------------------------------------------------------- spatial flip

/** out[..., v, :] = x[..., order[v], :] for the clips where `flip[s]` (or `flip[0]` for all). */
export function flipJoints(
  batch: SkeletonBatch,
  flip: readonly boolean[],
  order: readonly number[] = NTU25.flipOrder,
): SkeletonBatch {
  checkBatch(batch, 'flipJoints');
  const [n, c, t, v, m] = batch.shape;
  if (order.length !== v)
    throw new RangeError(`flipJoints: flip order has ${order.length} joints, batch has V = ${v}`);
  if (flip.length !== 1 && flip.length !== n)
    throw new RangeError(`flipJoints: need 1 or ${n} flags, got ${flip.length}`);
  const x = batch.data;
  const out = x.slice();
  for (let s = 0; s < n; s++) {
    if (!(flip.length === 1 ? flip[0] : flip[s])) continue;
    for (let f = s * c * t; f < (s + 1) * c * t; f++) {
      const base = f * v * m;
      for (let j = 0; j < v; j++)
        for (let p = 0; p < m; p++) out[base + j * m + p] = x[base + order[j]! * m + p]!;
    }
  }
  return { data: out, shape: [...batch.shape] };
}

export interface FlipOptions extends DrawOptions {
  /** Probability of flipping (PSTL: 0.5). */
  p?: number;
  layout?: SkeletonLayout;
}

/** Random left/right flip: flips when rng.next() < p. */
export function spatialFlip(batch: SkeletonBatch, rng: Rng, opts: FlipOptions = {}): SkeletonBatch {
  const p = opts.p ?? 0.5;
  return flipJoints(
    batch,
    draws(batch, opts, () => rng.next() < p),
    (opts.layout ?? NTU25).flipOrder,
  );
}

// ---------------------------------------------------------------- composition

/** Apply augmentations left to right with the same Rng. */
export function compose(...augs: Augmentation[]): Augmentation {
  return (batch, rng) => augs.reduce((x, aug) => aug(x, rng), batch);
}

export interface PstlAugmentOptions extends DrawOptions {
  paddingRatio?: number;
  shearAmplitude?: number;
  mainDegrees?: number;
  otherDegrees?: number;
  flipP?: number;
  layout?: SkeletonLayout;
}

/** PSTL's view pipeline: random_spatial_flip(random_rotate(shear(crop(x)))). */
export function pstlAugment(opts: PstlAugmentOptions = {}): Augmentation {
  const perSample = opts.perSample ?? false;
  return compose(
    (x, rng) => temporalCrop(x, rng, { perSample, paddingRatio: opts.paddingRatio }),
    (x, rng) => shear(x, rng, { perSample, amplitude: opts.shearAmplitude }),
    (x, rng) =>
      randomRotate(x, rng, { perSample, mainDegrees: opts.mainDegrees, otherDegrees: opts.otherDegrees }),
    (x, rng) => spatialFlip(x, rng, { perSample, p: opts.flipP, layout: opts.layout }),
  );
}
