import { checkBatch, type SkeletonBatch } from './batch.js';

/**
 * Motion statistics. All three are means of the squared motion stream d[t] = x[t+1] - x[t]
 * (d[T-1] = 0, as PSTL defines it), accumulated in float64 and returned as float32.
 */

/** Per frame, shape (N, T): e_t = mean over (c, v, m) of d[t]^2; e_{T-1} = 0 (PSTL's motion attention). */
export function motionEnergy(batch: SkeletonBatch): Float32Array {
  checkBatch(batch, 'motionEnergy');
  const [n, c, t, v, m] = batch.shape;
  const x = batch.data;
  const frame = v * m;
  const out = new Float32Array(n * t);
  const acc = new Float64Array(t);
  for (let s = 0; s < n; s++) {
    acc.fill(0);
    for (let ch = 0; ch < c; ch++) {
      const base = (s * c + ch) * t * frame;
      for (let f = 0; f + 1 < t; f++) {
        const o = base + f * frame;
        let sum = 0;
        for (let e = 0; e < frame; e++) {
          const d = x[o + frame + e]! - x[o + e]!;
          sum += d * d;
        }
        acc[f]! += sum;
      }
    }
    const denom = c * frame;
    for (let f = 0; f < t; f++) out[s * t + f] = denom > 0 ? acc[f]! / denom : 0;
  }
  return out;
}

/** Per joint, shape (N, V): mean over (c, t, m) of d^2 (T frames, the last contributing 0). */
export function jointMotionEnergy(batch: SkeletonBatch): Float32Array {
  checkBatch(batch, 'jointMotionEnergy');
  const [n, c, t, v, m] = batch.shape;
  const x = batch.data;
  const frame = v * m;
  const out = new Float32Array(n * v);
  const acc = new Float64Array(v);
  for (let s = 0; s < n; s++) {
    acc.fill(0);
    for (let ch = 0; ch < c; ch++) {
      const base = (s * c + ch) * t * frame;
      for (let f = 0; f + 1 < t; f++) {
        const o = base + f * frame;
        for (let j = 0; j < v; j++) {
          for (let p = 0; p < m; p++) {
            const d = x[o + frame + j * m + p]! - x[o + j * m + p]!;
            acc[j]! += d * d;
          }
        }
      }
    }
    const denom = c * t * m;
    for (let j = 0; j < v; j++) out[s * v + j] = denom > 0 ? acc[j]! / denom : 0;
  }
  return out;
}

/** Per clip, shape (N): mean over (c, t, v, m) of d^2 (the mean of motionEnergy over frames). */
export function clipMotionEnergy(batch: SkeletonBatch): Float32Array {
  checkBatch(batch, 'clipMotionEnergy');
  const [n, c, t, v, m] = batch.shape;
  const x = batch.data;
  const frame = v * m;
  const out = new Float32Array(n);
  for (let s = 0; s < n; s++) {
    let sum = 0;
    for (let ch = 0; ch < c; ch++) {
      const base = (s * c + ch) * t * frame;
      for (let e = base; e + frame < base + t * frame; e++) {
        const d = x[e + frame]! - x[e]!;
        sum += d * d;
      }
    }
    const denom = c * t * frame;
    out[s] = denom > 0 ? sum / denom : 0;
  }
  return out;
}
