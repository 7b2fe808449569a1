import type { Pose } from './body.js';

/**
 * The synthetic action classes. Each sets joint angles from a motion context. They are built in
 * confusable groups so that neither low-degree joints (hands, feet, head) nor high-degree joints
 * (spine, hips, shoulders) alone tell every class apart:
 * - same arm motion, different torso: wave / wave+lean, point / point+bow, clap / clap+squat,
 *   kick / kick+lean-back;
 * - same torso motion, different limbs: lean-side / wave+lean, bow / point+bow, squat / clap+squat;
 * - head only: nod / tilt-head.
 */
export interface MotionContext {
  /** Clip time in [0, 1]. */
  tau: number;
  /** Envelope: 0 before the onset, 1 while the action is held, back to 0 after it (smooth). */
  env: number;
  /** Periodic drive sin(2 pi cycles tau + phase) for repeated actions. */
  osc: number;
  /** A single smooth rise and fall over the action (0 -> 1 -> 0), for postures. */
  bump: number;
  /** Per-clip amplitude factor around 1. */
  amp: number;
  /** Which of the two bodies (0 or 1) is being posed, for two-person classes. */
  body: number;
}

export interface ActionClass {
  readonly name: string;
  /** Needs a second body (NTU's interactions); single-person classes leave body 2 at zero. */
  readonly twoPerson: boolean;
  /** Cycles of `osc` over the clip before tempo variation. */
  readonly cycles: number;
  pose(p: Pose, c: MotionContext): void;
}

const pos = (x: number): number => Math.max(0, x);

function wave(p: Pose, c: MotionContext): void {
  const r = p.arms[1];
  r.abd = 0.12 + c.env * 2.2 * c.amp;
  r.flex = c.env * 0.35;
  r.bendAbd = c.env * (-1.0 + 0.55 * c.osc);
}
function point(p: Pose, c: MotionContext): void {
  const r = p.arms[1];
  r.flex = c.env * 1.45 * c.amp + 0.04 * c.osc * c.env;
  r.abd = 0.12 + c.env * 0.15;
}
function clap(p: Pose, c: MotionContext): void {
  for (const arm of p.arms) {
    arm.flex = c.env * 1.2 * c.amp;
    arm.abd = 0.12 - c.env * (0.32 + 0.28 * c.osc);
    arm.bend = c.env * 0.35;
  }
}
function kick(p: Pose, c: MotionContext): void {
  const r = p.legs[1];
  const k = c.env * pos(c.osc);
  r.flex = 1.15 * k * c.amp;
  r.bend = 0.5 * k * (1 - k);
}
function squat(p: Pose, amount: number): void {
  for (const leg of p.legs) {
    leg.flex = 1.25 * amount;
    leg.bend = 2.2 * amount;
  }
  p.pitch += 0.45 * amount;
}

const single = (name: string, cycles: number, pose: (p: Pose, c: MotionContext) => void): ActionClass => ({
  name,
  twoPerson: false,
  cycles,
  pose,
});

export const ACTION_CLASSES: readonly ActionClass[] = [
  single('wave_right', 3, wave),
  single('wave_right_lean_left', 3, (p, c) => {
    wave(p, c);
    p.roll = c.env * 0.35 * c.amp;
  }),
  single('point_right', 1, point),
  single('point_right_bow', 1, (p, c) => {
    point(p, c);
    p.pitch = c.env * 0.55 * c.amp;
  }),
  single('bow', 1, (p, c) => {
    p.pitch = c.bump * 0.85 * c.amp;
  }),
  single('kick_right', 2, kick),
  single('kick_right_lean_back', 2, (p, c) => {
    kick(p, c);
    p.pitch = -c.env * 0.3 * c.amp;
  }),
  single('nod', 3, (p, c) => {
    p.nod = c.env * 0.4 * pos(c.osc) * c.amp;
  }),
  single('tilt_head', 2, (p, c) => {
    p.tilt = c.env * 0.35 * c.osc * c.amp;
  }),
  single('squat', 1, (p, c) => squat(p, c.bump * 0.9 * c.amp)),
  single('lean_side', 2, (p, c) => {
    p.roll = c.env * 0.35 * c.osc * c.amp;
  }),
  single('twist_trunk', 2, (p, c) => {
    p.yaw = c.env * 0.6 * c.osc * c.amp;
    for (const arm of p.arms) arm.abd = 0.12 + c.env * 0.25;
  }),
  single('clap', 4, clap),
  single('clap_squat', 4, (p, c) => {
    clap(p, c);
    squat(p, c.env * 0.7);
  }),
  {
    name: 'handshake',
    twoPerson: true,
    cycles: 3,
    pose(p, c) {
      const r = p.arms[1];
      r.flex = c.env * (0.95 + 0.12 * c.osc) * c.amp;
      r.bend = c.env * 0.35;
      r.abd = 0.12 - c.env * 0.15;
    },
  },
  {
    name: 'push',
    twoPerson: true,
    cycles: 1,
    pose(p, c) {
      if (c.body === 0) {
        for (const arm of p.arms) {
          arm.flex = c.bump * 1.4 * c.amp;
          arm.bend = (1 - c.bump) * 0.8 * c.env;
        }
        p.pitch = c.bump * 0.2;
      } else {
        p.pitch = -c.bump * 0.35 * c.amp;
        for (const arm of p.arms) arm.abd = 0.12 + c.bump * 0.5;
      }
    },
  },
];
