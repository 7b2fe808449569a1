import { quote, SkeletonEmptyError, SkeletonParseError } from '../errors.js';
import { LineCursor } from './lines.js';

/** One body in one frame of an NTU .skeleton file. */
export interface NtuBody {
  /** Kinect tracking id, a 64-bit integer kept as its decimal string (it exceeds 2^53). */
  id: string;
  /** clippedEdges, handLeftConfidence, handLeftState, handRightConfidence, handRightState, isRestricted, leanX, leanY, trackingState. */
  info: Float64Array;
  /** Camera-space x, y, z in metres of the 25 joints: joint j at [3j, 3j + 3). */
  xyz: Float64Array;
  /** Joint tracking states: 0 not tracked, 1 inferred, 2 tracked. */
  tracking: Uint8Array;
}

export interface NtuSequence {
  file: string;
  frames: { bodies: NtuBody[] }[];
}

export const NTU_JOINTS = 25;
const JOINT_FIELDS = [
  'x',
  'y',
  'z',
  'depthX',
  'depthY',
  'colorX',
  'colorY',
  'orientationW',
  'orientationX',
  'orientationY',
  'orientationZ',
  'trackingState',
] as const;
const BODY_FIELDS = [
  'bodyID',
  'clippedEdges',
  'handLeftConfidence',
  'handLeftState',
  'handRightConfidence',
  'handRightState',
  'isRestricted',
  'leanX',
  'leanY',
  'trackingState',
] as const;
// Generous bounds: the real data has <= 300 frames and <= 6 bodies; the file length bounds the work anyway.
const MAX_FRAMES = 1_000_000;
const MAX_BODIES = 64;
/**
 * Camera-space coordinates are metres (Kinect sees ~0.5-8 m). Anything beyond this bound is
 * corrupt, and would overflow float32 in the preprocessing (centring, squared norms).
 */
export const MAX_COORDINATE = 1e6;

/**
 * Parse the text of an NTU RGB+D .skeleton file (format in docs: numFrames; per frame numBodies;
 * per body a 10-value info line, numJoints = 25 and 25 joint lines of 12 values). Every field is
 * validated; errors are `SkeletonParseError` naming file, line and field. A file with 0 frames
 * or no body in any frame throws `SkeletonEmptyError` (NTU's "missing skeleton" samples).
 */
export function parseNtuSkeleton(text: string, file = '<text>'): NtuSequence {
  const cur = new LineCursor(text, file);
  const numFrames = cur.expectInt('numFrames', 0, MAX_FRAMES);
  const frames: { bodies: NtuBody[] }[] = [];
  let anyBody = false;
  for (let f = 0; f < numFrames; f++) {
    const numBodies = cur.expectInt(`frame ${f + 1} numBodies`, 0, MAX_BODIES);
    const bodies: NtuBody[] = [];
    for (let b = 0; b < numBodies; b++) bodies.push(parseBody(cur, `frame ${f + 1} body ${b + 1}`));
    if (numBodies > 0) anyBody = true;
    frames.push({ bodies });
  }
  cur.expectEnd(`after frame ${numFrames}`);
  if (numFrames === 0) throw new SkeletonEmptyError(file, 1, 'numFrames', 'at least 1 frame', '0');
  if (!anyBody)
    throw new SkeletonEmptyError(
      file,
      0,
      'bodies',
      'a body in at least one frame',
      `none in ${numFrames} frames`,
    );
  return { file, frames };
}

function parseBody(cur: LineCursor, where: string): NtuBody {
  const info = cur.expectLine(BODY_FIELDS.length, `${where} info`);
  const id = info[0]!;
  if (!/^\d{1,20}$/.test(id))
    throw new SkeletonParseError(
      cur.file,
      cur.line,
      `${where} field 'bodyID'`,
      'an unsigned integer',
      quote(id),
    );
  const values = new Float64Array(BODY_FIELDS.length - 1);
  for (let i = 1; i < BODY_FIELDS.length; i++)
    values[i - 1] = cur.num(info[i]!, `${where} field '${BODY_FIELDS[i]}'`);
  const numJoints = cur.expectInt(`${where} numJoints`, 0, 1_000);
  if (numJoints !== NTU_JOINTS)
    throw new SkeletonParseError(
      cur.file,
      cur.line,
      `${where} numJoints`,
      `${NTU_JOINTS} joints`,
      String(numJoints),
    );
  const xyz = new Float64Array(3 * NTU_JOINTS);
  const tracking = new Uint8Array(NTU_JOINTS);
  const row = new Float64Array(JOINT_FIELDS.length);
  for (let j = 0; j < NTU_JOINTS; j++) {
    cur.numbers(row, `joint ${j + 1}`, (k) => `joint ${j + 1} field '${JOINT_FIELDS[k]}'`);
    for (let c = 0; c < 3; c++) {
      const v = row[c]!;
      if (Math.abs(v) > MAX_COORDINATE)
        throw cur.rangeError(
          `joint ${j + 1} field '${JOINT_FIELDS[c]}'`,
          `a coordinate within +-${MAX_COORDINATE} m`,
          v,
        );
      xyz[3 * j + c] = v;
    }
    const state = row[11]!;
    if (state !== 0 && state !== 1 && state !== 2)
      throw new SkeletonParseError(
        cur.file,
        cur.line,
        `joint ${j + 1} field 'trackingState'`,
        'an integer in 0..2',
        quote(String(state)),
      );
    tracking[j] = state;
  }
  return { id, info: values, xyz, tracking };
}
