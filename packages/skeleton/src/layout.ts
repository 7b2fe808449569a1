/**
 * Skeleton layouts: joint names, bones, centre joint and left/right flip order.
 * Indices are 0-based; bones are (child, parent) pairs as in the ST-GCN reference code.
 */
export interface SkeletonLayout {
  readonly name: string;
  readonly numJoints: number;
  readonly jointNames: readonly string[];
  /** Undirected bone list as 0-based (a, b) pairs. */
  readonly bones: readonly (readonly [number, number])[];
  /** Centre joint used by the spatial partition and for centring. */
  readonly center: number;
  /** Joint order after a left/right mirror. */
  readonly flipOrder: readonly number[];
}

const ntuBonesOneBased: readonly (readonly [number, number])[] = [
  [1, 2],
  [2, 21],
  [3, 21],
  [4, 3],
  [5, 21],
  [6, 5],
  [7, 6],
  [8, 7],
  [9, 21],
  [10, 9],
  [11, 10],
  [12, 11],
  [13, 1],
  [14, 13],
  [15, 14],
  [16, 15],
  [17, 1],
  [18, 17],
  [19, 18],
  [20, 19],
  [22, 23],
  [23, 8],
  [24, 25],
  [25, 12],
];

/** NTU RGB+D / Kinect v2, 25 joints. */
export const NTU25: SkeletonLayout = {
  name: 'ntu25',
  numJoints: 25,
  jointNames: [
    'spine_base',
    'spine_mid',
    'neck',
    'head',
    'left_shoulder',
    'left_elbow',
    'left_wrist',
    'left_hand',
    'right_shoulder',
    'right_elbow',
    'right_wrist',
    'right_hand',
    'left_hip',
    'left_knee',
    'left_ankle',
    'left_foot',
    'right_hip',
    'right_knee',
    'right_ankle',
    'right_foot',
    'spine_shoulder',
    'left_hand_tip',
    'left_thumb',
    'right_hand_tip',
    'right_thumb',
  ],
  bones: ntuBonesOneBased.map(([a, b]) => [a - 1, b - 1] as const),
  center: 20,
  flipOrder: [0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 16, 17, 18, 19, 12, 13, 14, 15, 20, 23, 24, 21, 22],
};

/** Number of bones touching each joint. */
export function jointDegree(layout: SkeletonLayout): number[] {
  const d = new Array<number>(layout.numJoints).fill(0);
  for (const [a, b] of layout.bones) {
    d[a]!++;
    d[b]!++;
  }
  return d;
}
