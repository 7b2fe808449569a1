import type { NtuSequence } from './parse.js';

/** Raw per-file tensor: (3, T, 25, 2) float32, C order, body 2 zero when absent. */
export interface RawClip {
  data: Float32Array;
  frames: number;
}

/**
 * 'energy': the most active bodies (2s-AGCN's ntu_gendata.py). 'first': the first bodies listed
 * in each frame, no selection (ST-GCN's read_xyz, used by CrosSCLR's and AimCLR's
 * tools/ntu_gendata.py, so it reproduces their published frame50 files).
 */
export type ActorStrategy = 'energy' | 'first';

export interface ActorOptions {
  /** Default 'energy'. */
  strategy?: ActorStrategy;
  /** Body slots read from each frame (default 4, as 2s-AGCN's `max_body_kinect`). */
  slots?: number;
  /** Bodies kept (default 2). */
  keep?: number;
  /** Longer sequences keep their centre `maxFrames` frames (default 300, the tensor length everyone uses). */
  maxFrames?: number;
}

/**
 * Choose the actors of an NTU sequence and build its (3, T, 25, 2) tensor, following the
 * 2s-AGCN `ntu_gendata.py` used to build the AimCLR/SkeletonCLR data:
 * 1. body slot m of frame t is the m-th body listed in that frame (m < `slots`; later ones dropped);
 *    slots are positional, not matched by bodyID, exactly as the reference does;
 * 2. a slot's energy = std(x) + std(y) + std(z) (population std, float64) over the joints of the
 *    frames where that slot is non-zero (sum of its 75 coordinates != 0); 0 if it is never present;
 * 3. the `keep` slots of largest energy are kept, largest first (ties: the higher slot first, as
 *    numpy's stable argsort reversed does). Low-variance "noise" bodies are dropped whenever two
 *    livelier bodies exist.
 */
export function selectActors(seq: NtuSequence, opts: ActorOptions = {}): RawClip {
  const slots = opts.slots ?? 4;
  const keep = opts.keep ?? 2;
  const maxFrames = opts.maxFrames ?? 300;
  let frames = seq.frames;
  if (frames.length > maxFrames) {
    const start = Math.floor((frames.length - maxFrames) / 2);
    frames = frames.slice(start, start + maxFrames);
  }
  const T = frames.length;
  const energy = new Float64Array(slots);
  if (opts.strategy !== 'first') for (let m = 0; m < slots; m++) energy[m] = slotEnergy(frames, m);
  const order =
    opts.strategy === 'first'
      ? [...Array(keep).keys()]
      : [...Array(slots).keys()].sort((a, b) => energy[b]! - energy[a]! || b - a).slice(0, keep);
  const V = 25;
  const data = new Float32Array(3 * T * V * keep);
  order.forEach((m, out) => {
    for (let t = 0; t < T; t++) {
      const body = frames[t]!.bodies[m];
      if (!body) continue;
      for (let v = 0; v < V; v++)
        for (let c = 0; c < 3; c++) data[((c * T + t) * V + v) * keep + out] = body.xyz[3 * v + c]!;
    }
  });
  return { data, frames: T };
}

function slotEnergy(frames: NtuSequence['frames'], m: number): number {
  // Two passes per channel (mean, then squared deviations) like numpy's std.
  const present: Float64Array[] = [];
  for (const f of frames) {
    const b = f.bodies[m];
    if (!b) continue;
    let s = 0;
    for (let i = 0; i < 75; i++) s += b.xyz[i]!;
    if (s !== 0) present.push(b.xyz);
  }
  if (present.length === 0) return 0;
  let e = 0;
  const n = present.length * 25;
  for (let c = 0; c < 3; c++) {
    let mean = 0;
    for (const xyz of present) for (let v = 0; v < 25; v++) mean += xyz[3 * v + c]!;
    mean /= n;
    let ss = 0;
    for (const xyz of present)
      for (let v = 0; v < 25; v++) {
        const d = xyz[3 * v + c]! - mean;
        ss += d * d;
      }
    e += Math.sqrt(ss / n);
  }
  return e;
}
