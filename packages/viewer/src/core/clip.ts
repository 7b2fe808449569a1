/** One clip out of an (N, 3, T, 25, M) .npy, validated with errors a person can act on. */
import { decodeNpy, type NpyArray, NTU25, type SkeletonBatch } from '@asma/skeleton';

export class ClipError extends Error {
  override name = 'ClipError';
}

/** Decode .npy bytes; any parse failure becomes a ClipError naming the file. */
export function decodeClipFile(bytes: Uint8Array, name: string): NpyArray {
  try {
    return decodeNpy(bytes, name, { asFloat32: true });
  } catch (err) {
    throw new ClipError(`${name}: not a readable .npy file (${(err as Error).message})`);
  }
}

/** Clip `index` of a (N, 3, T, 25, M) float array as a (1, 3, T, 25, M) batch (a copy). */
export function extractClip(arr: NpyArray, index: number, name = 'clip'): SkeletonBatch {
  const s = arr.shape;
  if (s.length !== 5 || s[1] !== 3 || s[3] !== NTU25.numJoints)
    throw new ClipError(`${name}: expected shape (N, 3, T, 25, M) of NTU-25 clips, got (${s.join(', ')})`);
  if (!(arr.data instanceof Float32Array))
    throw new ClipError(`${name}: expected float32 or float64 coordinates, got dtype ${arr.dtype}`);
  const [n, c, t, v, m] = s as [number, number, number, number, number];
  if (t < 1 || m < 1 || n < 1) throw new ClipError(`${name}: holds no clip (shape (${s.join(', ')}))`);
  if (!Number.isInteger(index) || index < 0 || index >= n)
    throw new ClipError(`${name}: clip index ${index} is out of range 0..${n - 1}`);
  const per = c * t * v * m;
  const data = arr.data.slice(index * per, (index + 1) * per);
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i]!))
      throw new ClipError(`${name}: clip ${index} holds ${data[i]} at element ${i}`);
  return { data, shape: [1, c, t, v, m] };
}

export type Point3 = [number, number, number];

/** Joint positions of body `body` in frame `frame` of a (1, 3, T, V, M) clip. */
export function framePoints(clip: SkeletonBatch, frame: number, body = 0): Point3[] {
  const [, , t, v, m] = clip.shape;
  const out: Point3[] = [];
  for (let j = 0; j < v; j++) {
    const at = (ch: number) => clip.data[((ch * t + frame) * v + j) * m + body]!;
    out.push([at(0), at(1), at(2)]);
  }
  return out;
}

/** Bodies that are non-zero somewhere in the clip (NTU pads absent second actors with zeros). */
export function activeBodies(clip: SkeletonBatch): number[] {
  const [, c, t, v, m] = clip.shape;
  const active: number[] = [];
  for (let b = 0; b < m; b++) {
    let any = false;
    for (let i = 0; i < c * t * v && !any; i++) any = clip.data[i * m + b] !== 0;
    if (any) active.push(b);
  }
  return active;
}

/** Centre and radius of every joint of the active bodies over the clip (for the camera target). */
export function clipBounds(clip: SkeletonBatch): { centre: Point3; radius: number } {
  const t = clip.shape[2];
  const pts: Point3[] = [];
  for (const b of activeBodies(clip)) for (let f = 0; f < t; f++) pts.push(...framePoints(clip, f, b));
  if (pts.length === 0) return { centre: [0, 0, 0], radius: 1 };
  const centre: Point3 = [0, 0, 0];
  for (const p of pts) for (let k = 0; k < 3; k++) centre[k]! += p[k]! / pts.length;
  let r = 0;
  for (const p of pts) r = Math.max(r, Math.hypot(p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]));
  return { centre, radius: Math.max(r, 0.1) };
}
