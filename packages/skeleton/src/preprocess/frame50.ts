import { SkeletonEmptyError } from '../errors.js';

const f32 = Math.fround;
const V = 25;
const M = 2;
const CENTRE = 20; // joint 21, spine shoulder
const LEFT_SHOULDER = 4; // joint 5
const RIGHT_SHOULDER = 8; // joint 9
const EPS = f32(0.0001);
const RAD_TO_DEG = f32(180 / Math.PI);
const PI32 = f32(Math.PI);

export interface Frame50Options {
  /** Output frames (default 50). */
  frames?: number;
  /** Rotate about y so the shoulders are parallel to x (default true). */
  yRotation?: boolean;
  /** Name used in errors. */
  file?: string;
}

/** Frames where body 0, joint 0 is non-zero (AimCLR `get_length`: a count, not a prefix). */
export function validLength(raw: Float32Array, T: number): number {
  let n = 0;
  for (let t = 0; t < T; t++) {
    const i = (t * V + 0) * M;
    if (Math.abs(raw[i]!) + Math.abs(raw[T * V * M + i]!) + Math.abs(raw[2 * T * V * M + i]!) !== 0) n++;
  }
  return n;
}

/**
 * The "frame50" preprocessing of SkeletonCLR / AimCLR (their `NTUMotionProcessor` with
 * data_type 'relative', sampling 'resize', y_rotation) on one raw clip (3, T, 25, 2) float32:
 * 1. length = validLength(raw);
 * 2. every joint minus joint 21 of the same frame and body (float32, as the reference);
 * 3. frames 0..length-1 resized linearly to `frames` (cv2.resize INTER_LINEAR: source row
 *    fy = (dst + 0.5) * length / frames - 0.5 in float32, rows floor(fy) and floor(fy) + 1 clamped
 *    to 0..length-1, weights 1 - frac and frac; each body resized with body 0's length);
 * 4. per body, per frame: v = joint 9 - joint 5 with v.y = 0, theta = acos(v.x / (|v| + 1e-4));
 *    the angle is -theta if the sum over frames of v.z is >= 0, else +theta; rotate
 *    x' = cos a x - sin a z, y' = y, z' = sin a x + cos a z (`parallel_skeleton`).
 * Float32 intermediates follow numpy's float32 arithmetic (Math.fround after each operation); the
 * reference computes cos/sin/acos in float32 and the rotation product in float64, so do we (our
 * float32 acos/cos are correctly rounded float64 results, numpy's may differ by 1 ulp).
 * Throws SkeletonEmptyError when body 0 joint 0 is zero in every frame (cv2 would fail too).
 */
export function frame50(raw: Float32Array, T: number, opts: Frame50Options = {}): Float32Array {
  const TO = opts.frames ?? 50;
  if (raw.length !== 3 * T * V * M)
    throw new RangeError(`frame50: expected 3*${T}*25*2 values, got ${raw.length}`);
  const length = validLength(raw, T);
  if (length === 0)
    throw new SkeletonEmptyError(
      opts.file ?? '<clip>',
      0,
      'body 1 joint 1',
      'a non-zero frame',
      'zeros in every frame',
    );
  // Centre, only the frames the resize reads.
  const centred = new Float32Array(3 * length * V * M);
  for (let c = 0; c < 3; c++)
    for (let t = 0; t < length; t++)
      for (let v = 0; v < V; v++)
        for (let m = 0; m < M; m++)
          centred[((c * length + t) * V + v) * M + m] = f32(
            raw[((c * T + t) * V + v) * M + m]! - raw[((c * T + t) * V + CENTRE) * M + m]!,
          );
  const out = resizeFrames(centred, length, TO);
  if (opts.yRotation ?? true) for (let m = 0; m < M; m++) alignShoulders(out, TO, m);
  return out;
}

/** cv2.resize INTER_LINEAR along time of a (3, len, 25, 2) float32 array to (3, TO, 25, 2). */
export function resizeFrames(x: Float32Array, len: number, TO: number): Float32Array {
  const out = new Float32Array(3 * TO * V * M);
  const scale = len / TO;
  for (let d = 0; d < TO; d++) {
    let fy = f32((d + 0.5) * scale - 0.5);
    const sy = Math.floor(fy);
    fy = f32(fy - sy);
    const r0 = Math.min(Math.max(sy, 0), len - 1);
    const r1 = Math.min(Math.max(sy + 1, 0), len - 1);
    const b0 = f32(1 - fy);
    for (let c = 0; c < 3; c++) {
      const o = (c * TO + d) * V * M;
      const i0 = (c * len + r0) * V * M;
      const i1 = (c * len + r1) * V * M;
      for (let k = 0; k < V * M; k++) out[o + k] = f32(f32(x[i0 + k]! * b0) + f32(x[i1 + k]! * fy));
    }
  }
  return out;
}

/** AimCLR's `parallel_skeleton` on body m of a (3, T, 25, 2) array, in place. */
export function alignShoulders(x: Float32Array, T: number, m: number): void {
  const at = (c: number, t: number, v: number) => ((c * T + t) * V + v) * M + m;
  const thetas = new Float32Array(T);
  let sumZ = 0;
  for (let t = 0; t < T; t++) {
    const vx = f32(x[at(0, t, RIGHT_SHOULDER)]! - x[at(0, t, LEFT_SHOULDER)]!);
    const vz = f32(x[at(2, t, RIGHT_SHOULDER)]! - x[at(2, t, LEFT_SHOULDER)]!);
    const norm = f32(Math.sqrt(f32(f32(vx * vx) + f32(vz * vz))));
    const cos = f32(vx / f32(norm + EPS));
    thetas[t] = f32(f32(Math.acos(cos)) * RAD_TO_DEG);
    sumZ += vz;
  }
  const sign = sumZ >= 0 ? -1 : 1;
  for (let t = 0; t < T; t++) {
    const a = f32(f32(f32(sign * thetas[t]!) * PI32) / 180);
    const c = f32(Math.cos(a));
    const s = f32(Math.sin(a));
    for (let v = 0; v < V; v++) {
      const px = x[at(0, t, v)]!;
      const pz = x[at(2, t, v)]!;
      x[at(0, t, v)] = c * px + -s * pz;
      x[at(2, t, v)] = s * px + c * pz;
    }
  }
}
