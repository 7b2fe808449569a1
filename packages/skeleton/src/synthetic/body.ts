import type { Rng } from '@asma/util';

/** Bone lengths of one synthetic subject, metres. Fixed per subject: the FK keeps them exact. */
export interface BodyShape {
  spineLow: number;
  spineHigh: number;
  neck: number;
  head: number;
  shoulderHalf: number;
  upperArm: number;
  forearm: number;
  hand: number;
  handTip: number;
  thumb: number;
  hipHalf: number;
  hipDrop: number;
  thigh: number;
  shin: number;
  foot: number;
}

/** An adult of about 1.75 m. */
export const NOMINAL_BODY: BodyShape = {
  spineLow: 0.25,
  spineHigh: 0.24,
  neck: 0.08,
  head: 0.15,
  shoulderHalf: 0.18,
  upperArm: 0.29,
  forearm: 0.25,
  hand: 0.08,
  handTip: 0.07,
  thumb: 0.05,
  hipHalf: 0.09,
  hipDrop: 0.06,
  thigh: 0.43,
  shin: 0.41,
  foot: 0.12,
};

/** A subject: overall scale N(1, 0.06) clamped to [0.82, 1.18], each segment jittered by N(1, 0.04). */
export function sampleBody(rng: Rng): BodyShape {
  const scale = Math.min(1.18, Math.max(0.82, rng.normal(1, 0.06)));
  const out = {} as BodyShape;
  for (const key of Object.keys(NOMINAL_BODY) as (keyof BodyShape)[]) {
    out[key] = NOMINAL_BODY[key] * scale * Math.min(1.12, Math.max(0.88, rng.normal(1, 0.04)));
  }
  return out;
}

export interface LimbPose {
  /** Forward raise (rad): the limb swings from pointing down towards the front. */
  flex: number;
  /** Sideways raise (rad, outwards positive). */
  abd: number;
  /** Extra flexion of the distal segment (elbow: forwards, knee: backwards), rad. */
  bend: number;
  /** Extra sideways angle of the distal segment (forearm only), rad. */
  bendAbd: number;
}

/** Joint angles of one body in one frame. Angles in radians. */
export interface Pose {
  /** Torso lean forward (+) / back (-), about the lateral axis at the spine base. */
  pitch: number;
  /** Torso side lean, about the front axis. */
  roll: number;
  /** Trunk twist about the vertical axis. */
  yaw: number;
  /** Head nod forward (+) and sideways tilt. */
  nod: number;
  tilt: number;
  /** Left and right arm / leg (index 0 = left, 1 = right). */
  arms: [LimbPose, LimbPose];
  legs: [LimbPose, LimbPose];
}

export function restPose(): Pose {
  const limb = (abd: number): LimbPose => ({ flex: 0, abd, bend: 0, bendAbd: 0 });
  return {
    pitch: 0,
    roll: 0,
    yaw: 0,
    nod: 0,
    tilt: 0,
    arms: [limb(0.12), limb(0.12)],
    legs: [limb(0.04), limb(0.04)],
  };
}

type V3 = [number, number, number];

function rotX(v: V3, a: number): V3 {
  const c = Math.cos(a);
  const s = Math.sin(a);
  return [v[0], v[1] * c - v[2] * s, v[1] * s + v[2] * c];
}
function rotZ(v: V3, a: number): V3 {
  const c = Math.cos(a);
  const s = Math.sin(a);
  return [v[0] * c - v[1] * s, v[0] * s + v[1] * c, v[2]];
}
const add = (a: V3, b: V3, k = 1): V3 => [a[0] + k * b[0], a[1] + k * b[1], a[2] + k * b[2]];
const cross = (a: V3, b: V3): V3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
const norm = (v: V3): V3 => {
  const l = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / l, v[1] / l, v[2] / l];
};

/** Row-major matrix of v -> rotY(rotZ(rotX(v, -pitch), roll), yaw). */
function torsoMatrix(pitch: number, roll: number, yaw: number): number[] {
  const cx = Math.cos(-pitch);
  const sx = Math.sin(-pitch);
  const cz = Math.cos(roll);
  const sz = Math.sin(roll);
  const cy = Math.cos(yaw);
  const sy = Math.sin(yaw);
  const rx = [1, 0, 0, 0, cx, -sx, 0, sx, cx];
  const rz = [cz, -sz, 0, sz, cz, 0, 0, 0, 1];
  const ry = [cy, 0, sy, 0, 1, 0, -sy, 0, cy];
  return mul3(ry, mul3(rz, rx));
}
function mul3(a: number[], b: number[]): number[] {
  const o = new Array<number>(9);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++)
      o[i * 3 + j] = a[i * 3]! * b[j]! + a[i * 3 + 1]! * b[3 + j]! + a[i * 3 + 2]! * b[6 + j]!;
  return o;
}
function apply(m: number[], v: V3): V3 {
  return [
    m[0]! * v[0] + m[1]! * v[1] + m[2]! * v[2],
    m[3]! * v[0] + m[4]! * v[1] + m[5]! * v[2],
    m[6]! * v[0] + m[7]! * v[1] + m[8]! * v[2],
  ];
}

/** Direction of a limb segment hanging down, raised forwards by `flex` and sideways by `abd`. */
function limbDir(side: number, flex: number, abd: number): V3 {
  return rotX([side * Math.sin(abd), -Math.cos(abd), 0], flex);
}

/**
 * Forward kinematics into `out` (25 joints x 3, NTU order, metres). Body frame: y up, the person
 * faces -z, their right side is +x; the lower of the two ankles rests on y = 0. Every bone of the
 * NTU-25 list has the subject's length in every frame.
 */
export function forwardKinematics(body: BodyShape, pose: Pose, out: Float64Array): void {
  const put = (j: number, p: V3): void => {
    out[j * 3] = p[0];
    out[j * 3 + 1] = p[1];
    out[j * 3 + 2] = p[2];
  };
  // Forward lean is a rotation of the up vector towards -z. The matrices are built once per call:
  // the lower spine takes half of the bend.
  const full = torsoMatrix(pose.pitch, pose.roll, pose.yaw);
  const half = torsoMatrix(pose.pitch / 2, pose.roll / 2, pose.yaw / 2);
  const torso = (v: V3, k = 1): V3 => apply(k === 1 ? full : half, v);
  const up: V3 = [0, 1, 0];
  const base: V3 = [0, 0, 0];
  const mid = add(base, torso(up, 0.5), body.spineLow);
  const shoulderC = add(mid, torso(up), body.spineHigh);
  const neck = add(shoulderC, torso(up), body.neck);
  const head = add(neck, torso(rotZ(rotX(up, -pose.nod), pose.tilt)), body.head);
  put(0, base);
  put(1, mid);
  put(20, shoulderC);
  put(2, neck);
  put(3, head);

  // Arms: left = side -1 (joints 5-8, 22, 23), right = side +1 (9-12, 24, 25).
  const armJoints = [
    [4, 5, 6, 7, 21, 22],
    [8, 9, 10, 11, 23, 24],
  ] as const;
  for (let a = 0; a < 2; a++) {
    const side = a === 0 ? -1 : 1;
    const limb = pose.arms[a]!;
    const [js, je, jw, jh, jtip, jthumb] = armJoints[a]!;
    const shoulder = add(shoulderC, torso([side * body.shoulderHalf, -0.02, 0]));
    const elbow = add(shoulder, torso(limbDir(side, limb.flex, limb.abd)), body.upperArm);
    const fore = torso(limbDir(side, limb.flex + limb.bend, limb.abd + limb.bendAbd));
    const wrist = add(elbow, fore, body.forearm);
    const hand = add(wrist, fore, body.hand);
    const tip = add(hand, fore, body.handTip);
    // The thumb sits at a fixed offset in the hand's own frame, so both of its bones keep their length.
    let perp = cross(fore, torso([0, 0, -1]));
    if (Math.hypot(...perp) < 0.2) perp = cross(fore, torso(up));
    const thumb = add(add(hand, fore, 0.6 * body.thumb), norm(perp), 0.8 * body.thumb);
    put(js, shoulder);
    put(je, elbow);
    put(jw, wrist);
    put(jh, hand);
    put(jtip, tip);
    put(jthumb, thumb);
  }

  // Legs follow the pelvis (no torso rotation): left = joints 13-16, right = 17-20.
  let lowest = Number.POSITIVE_INFINITY;
  for (let l = 0; l < 2; l++) {
    const side = l === 0 ? -1 : 1;
    const limb = pose.legs[l]!;
    const j0 = l === 0 ? 12 : 16;
    const hip: V3 = [side * body.hipHalf, -body.hipDrop, 0];
    const knee = add(hip, limbDir(side, limb.flex, limb.abd), body.thigh);
    const ankle = add(knee, limbDir(side, limb.flex - limb.bend, limb.abd), body.shin);
    const foot = add(ankle, rotX([0, 0, -1], limb.flex - limb.bend), body.foot);
    put(j0, hip);
    put(j0 + 1, knee);
    put(j0 + 2, ankle);
    put(j0 + 3, foot);
    lowest = Math.min(lowest, ankle[1]);
  }
  for (let j = 0; j < 25; j++) out[j * 3 + 1]! -= lowest;
}
