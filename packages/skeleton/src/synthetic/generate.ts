import { Rng } from '@asma/util';
import type { BatchShape } from '../batch.js';
import { type BodyShape, forwardKinematics, restPose, sampleBody } from './body.js';
import { ACTION_CLASSES, type ActionClass, type MotionContext } from './classes.js';

export interface SyntheticOptions {
  seed?: number;
  /** Clips per class (default 60). Clip i of a class has subject i mod S and camera (floor(i / S) + i) mod C. */
  samplesPerClass?: number;
  /** Number of subjects, numbered 1..S (default 10). Each has its own bone lengths. */
  subjects?: number;
  /** Number of cameras, 1..5 (default 3): yaw 0, +45, -45, +90, -90 degrees, as NTU's 1..3 first. */
  cameras?: number;
  /** Frames per clip (default 50, the frame50 length). */
  frames?: number;
  /** How many of ACTION_CLASSES (the first k) or which ones by name (default all 16). */
  classes?: number | readonly string[];
  /** Sensor noise, standard deviation in metres per coordinate (default 0.01; near-Gaussian, bounded by 3 std). */
  noise?: number;
  /** Probability that a frame is dropped and the previous one repeated (default 0.02). */
  dropProbability?: number;
  /** Subtract joint 21 of each frame and body, as frame50 does (default true). */
  centre?: boolean;
  /** Called after each clip with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** Clips (N, 3, T, 25, 2) float32 plus per-clip label, subject (1-based) and camera (1-based). */
export interface SyntheticDataset {
  data: Float32Array;
  shape: BatchShape;
  labels: Int32Array;
  subjects: Int32Array;
  cameras: Int32Array;
  classNames: string[];
}

const CAMERA_YAW_DEG = [0, 45, -45, 90, -90];
const CAMERA_ELEVATION_DEG = [10, 6, 14, 8, 12];

/** 32-bit mix of integers (for independent per-clip and per-subject streams). */
function mix(...xs: number[]): number {
  let h = 0x811c9dc5;
  for (const x of xs) {
    h = Math.imul(h ^ (x >>> 0), 0x01000193);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
  }
  return h >>> 0;
}

function smoothstep(x: number): number {
  const u = Math.min(1, Math.max(0, x));
  return u * u * (3 - 2 * u);
}

export function resolveClasses(classes: SyntheticOptions['classes']): ActionClass[] {
  if (classes === undefined) return [...ACTION_CLASSES];
  if (typeof classes === 'number') {
    if (!Number.isInteger(classes) || classes < 1 || classes > ACTION_CLASSES.length) {
      throw new RangeError(`synthetic: classes must be 1..${ACTION_CLASSES.length}, got ${classes}`);
    }
    return ACTION_CLASSES.slice(0, classes);
  }
  return classes.map((name) => {
    const found = ACTION_CLASSES.find((c) => c.name === name);
    if (!found)
      throw new RangeError(
        `synthetic: unknown class '${name}' (known: ${ACTION_CLASSES.map((c) => c.name).join(', ')})`,
      );
    return found;
  });
}

function checkInt(name: string, v: number, lo: number, hi = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(v) || v < lo || v > hi)
    throw new RangeError(`synthetic: ${name} must be an integer in ${lo}..${hi}, got ${v}`);
}

/**
 * Generate the synthetic benchmark. Deterministic for a seed: every clip and every subject has its
 * own random stream derived from (seed, class, index), so results do not depend on generation order.
 */
export function generateSynthetic(opts: SyntheticOptions = {}): SyntheticDataset {
  const seed = opts.seed ?? 0;
  const perClass = opts.samplesPerClass ?? 60;
  const numSubjects = opts.subjects ?? 10;
  const numCameras = opts.cameras ?? 3;
  const T = opts.frames ?? 50;
  const noise = opts.noise ?? 0.01;
  const drop = opts.dropProbability ?? 0.02;
  const centre = opts.centre ?? true;
  checkInt('samplesPerClass', perClass, 0);
  checkInt('subjects', numSubjects, 1);
  checkInt('cameras', numCameras, 1, CAMERA_YAW_DEG.length);
  checkInt('frames', T, 2);
  const classes = resolveClasses(opts.classes);
  const bodies: BodyShape[] = Array.from({ length: numSubjects }, (_, s) =>
    sampleBody(new Rng(mix(seed, 0x5eed, s))),
  );

  const partners: BodyShape[] = Array.from({ length: numSubjects }, (_, s) =>
    sampleBody(new Rng(mix(seed, 0xbea4, s))),
  );
  const N = classes.length * perClass;
  const V = 25;
  const M = 2;
  const shape: BatchShape = [N, 3, T, V, M];
  const data = new Float32Array(N * 3 * T * V * M);
  const labels = new Int32Array(N);
  const subjects = new Int32Array(N);
  const cameras = new Int32Array(N);
  const joints = new Float64Array(V * 3);
  const frame = new Float64Array(2 * V * 3); // camera-space joints of both bodies for one frame
  const plane = T * V * M;

  let n = 0;
  for (let k = 0; k < classes.length; k++) {
    const cls = classes[k]!;
    for (let i = 0; i < perClass; i++, n++) {
      const subject = i % numSubjects;
      // Latin-square assignment: every window of S clips cycles through the cameras, and every
      // S * C clips cover each (subject, camera) pair once.
      const camera = ((Math.floor(i / numSubjects) % numCameras) + subject) % numCameras;
      labels[n] = k;
      subjects[n] = subject + 1;
      cameras[n] = camera + 1;
      // Streams keyed by the class's place in ACTION_CLASSES: a subset gives the same clips.
      const rng = new Rng(mix(seed, ACTION_CLASSES.indexOf(cls), i));
      const cycles = cls.cycles * rng.uniform(0.75, 1.3);
      const phase = rng.uniform(0, 2 * Math.PI);
      const onset = rng.uniform(0, 0.2);
      const offset = rng.uniform(0.8, 1);
      const amp = rng.uniform(0.8, 1.2);
      const sway = rng.uniform(0, 0.04);
      const swayPhase = rng.uniform(0, 2 * Math.PI);
      const armHang = [rng.normal(0, 0.05), rng.normal(0, 0.05)];
      const facing = rng.normal(0, 0.17);
      const camYaw = ((CAMERA_YAW_DEG[camera]! + rng.normal(0, 3)) * Math.PI) / 180;
      const camElev = ((CAMERA_ELEVATION_DEG[camera]! + rng.normal(0, 2)) * Math.PI) / 180;
      const camDist = rng.uniform(2.5, 3.5);
      const camHeight = rng.uniform(0.8, 1.2);
      // Each subject has its own partner body, so no body is shared across subject splits.
      const partner = cls.twoPerson ? partners[subject]! : null;
      const nBodies = partner ? 2 : 1;
      // Sensor noise: the sum of three 10-bit uniforms cut from one 32-bit draw, near-Gaussian with
      // std `noise` (bounded by 3 std) and far cheaper than Box-Muller.
      const jitterScale = noise / 512;
      const jitter = (): number => {
        if (noise === 0) return 0;
        const r = rng.nextU32();
        return ((r & 1023) + ((r >>> 10) & 1023) + ((r >>> 20) & 1023) - 1534.5) * jitterScale;
      };
      const out = n * 3 * plane;
      for (let t = 0; t < T; t++) {
        if (t > 0 && rng.bernoulli(drop)) {
          // Dropped frame: the pipeline repeats the previous one.
          for (let c = 0; c < 3; c++)
            data.copyWithin(
              out + c * plane + t * V * M,
              out + c * plane + (t - 1) * V * M,
              out + c * plane + t * V * M,
            );
          continue;
        }
        const tau = t / (T - 1);
        const u = (tau - onset) / (offset - onset);
        const ctx: MotionContext = {
          tau,
          env: smoothstep((tau - onset) / 0.12) * smoothstep((offset - tau) / 0.12),
          osc: Math.sin(2 * Math.PI * cycles * tau + phase),
          bump: u > 0 && u < 1 ? Math.sin(Math.PI * u) : 0,
          amp,
          body: 0,
        };
        for (let b = 0; b < nBodies; b++) {
          ctx.body = b;
          const pose = restPose();
          pose.roll = sway * Math.sin(2 * Math.PI * tau + swayPhase);
          pose.pitch = 0.5 * sway * Math.cos(2 * Math.PI * tau + swayPhase);
          pose.arms[0].abd += armHang[0]!;
          pose.arms[1].abd += armHang[1]!;
          cls.pose(pose, ctx);
          forwardKinematics(b === 0 ? bodies[subject]! : partner!, pose, joints);
          // Body frame -> world: face the camera (or the partner), then place on the floor.
          const yaw = facing + (partner ? (b === 0 ? -Math.PI / 2 : Math.PI / 2) : 0);
          const px = partner ? (b === 0 ? -0.45 : 0.45) : 0;
          const cy = Math.cos(yaw);
          const sy = Math.sin(yaw);
          const ccy = Math.cos(camYaw);
          const scy = Math.sin(camYaw);
          const ce = Math.cos(camElev);
          const se = Math.sin(camElev);
          for (let j = 0; j < V; j++) {
            const x0 = joints[j * 3]!;
            const y0 = joints[j * 3 + 1]!;
            const z0 = joints[j * 3 + 2]!;
            // world
            const wx = cy * x0 + sy * z0 + px;
            const wy = y0 - camHeight;
            const wz = -sy * x0 + cy * z0;
            // camera: orbit by the camera's yaw, tilt by its elevation, then push away by its distance
            const ax = ccy * wx + scy * wz;
            const az = -scy * wx + ccy * wz;
            const by = ce * wy - se * az;
            const bz = se * wy + ce * az;
            // Sensor noise is in the raw camera-space reading, before any centring.
            frame[(b * V + j) * 3] = ax + jitter();
            frame[(b * V + j) * 3 + 1] = by + jitter();
            frame[(b * V + j) * 3 + 2] = bz + camDist + jitter();
          }
        }
        for (let b = 0; b < nBodies; b++) {
          const c0 = centre ? frame[(b * V + 20) * 3]! : 0;
          const c1 = centre ? frame[(b * V + 20) * 3 + 1]! : 0;
          const c2 = centre ? frame[(b * V + 20) * 3 + 2]! : 0;
          const cs = [c0, c1, c2];
          for (let j = 0; j < V; j++) {
            for (let c = 0; c < 3; c++)
              data[out + c * plane + (t * V + j) * M + b] = frame[(b * V + j) * 3 + c]! - cs[c]!;
          }
        }
      }
      opts.onProgress?.(n + 1, N);
    }
  }
  return { data, shape, labels, subjects, cameras, classNames: classes.map((c) => c.name) };
}
