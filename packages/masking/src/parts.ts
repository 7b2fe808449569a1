import type { SkeletonLayout } from '@asma/skeleton';
import { MaskingConfigError } from './errors.js';

/** A named group of joints (0-based) that a body-part mask removes together. */
export interface BodyPart {
  readonly name: string;
  readonly joints: readonly number[];
}

// NTU-25 (Kinect v2) grouped as arms (incl. hand tip and thumb), legs, torso and head.
const ntu25Parts: readonly BodyPart[] = [
  { name: 'head', joints: [2, 3] },
  { name: 'torso', joints: [0, 1, 20] },
  { name: 'left_arm', joints: [4, 5, 6, 7, 21, 22] },
  { name: 'right_arm', joints: [8, 9, 10, 11, 23, 24] },
  { name: 'left_leg', joints: [12, 13, 14, 15] },
  { name: 'right_leg', joints: [16, 17, 18, 19] },
];

/** The body parts of a layout (NTU-25: head, torso, left/right arm, left/right leg; a partition). */
export function bodyParts(layout: SkeletonLayout): readonly BodyPart[] {
  if (layout.name === 'ntu25' && layout.numJoints === 25) return ntu25Parts;
  throw new MaskingConfigError(
    'spatial.parts',
    `no body parts are defined for layout '${layout.name}'; pass parts as { name, joints } objects`,
  );
}

/** Resolve part names ('arms' and 'legs' mean both sides) or explicit parts into validated parts. */
export function resolveParts(
  parts: readonly (string | BodyPart)[],
  layout: SkeletonLayout,
  option: string,
): BodyPart[] {
  const out: BodyPart[] = [];
  for (const p of parts) {
    if (typeof p !== 'string') {
      for (const j of p.joints) {
        if (!Number.isInteger(j) || j < 0 || j >= layout.numJoints) {
          throw new MaskingConfigError(
            option,
            `part '${p.name}' has joint ${j}, outside 0..${layout.numJoints - 1}`,
          );
        }
      }
      out.push(p);
      continue;
    }
    const known = bodyParts(layout);
    const names = p === 'arms' || p === 'legs' ? [`left_${p.slice(0, -1)}`, `right_${p.slice(0, -1)}`] : [p];
    for (const name of names) {
      const part = known.find((k) => k.name === name);
      if (!part) {
        throw new MaskingConfigError(
          option,
          `unknown body part '${p}' (expected one of ${[...known.map((k) => k.name), 'arms', 'legs'].join(', ')})`,
        );
      }
      out.push(part);
    }
  }
  return out;
}
