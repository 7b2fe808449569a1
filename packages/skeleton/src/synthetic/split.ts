import type { BatchShape } from '../batch.js';
import type { SyntheticDataset } from './generate.js';

export type SyntheticSplit = 'xsub' | 'xview';

/** NTU-60 cross-subject training subjects; synthetic subjects 1..S use the same list. */
export const NTU_XSUB_TRAIN_SUBJECTS: readonly number[] = [
  1, 2, 4, 5, 8, 9, 13, 14, 15, 16, 17, 18, 19, 25, 27, 28, 31, 34, 35, 38,
];

/** NTU's rules: xsub trains on the listed subjects, xview trains on cameras 2 and 3 (all but camera 1). */
export function isTrainClip(split: SyntheticSplit, subject: number, camera: number): boolean {
  if (split === 'xsub') return NTU_XSUB_TRAIN_SUBJECTS.includes(subject);
  if (split === 'xview') return camera !== 1;
  throw new RangeError(`unknown split '${String(split)}' (expected xsub or xview)`);
}

export interface SyntheticPart {
  data: Float32Array;
  shape: BatchShape;
  labels: Int32Array;
  subjects: Int32Array;
  cameras: Int32Array;
}

/** Clip indices of the train and validation parts. Throws if either part would be empty. */
export function splitIndices(
  ds: Pick<SyntheticDataset, 'subjects' | 'cameras'>,
  split: SyntheticSplit,
): { train: number[]; val: number[] } {
  const n = ds.subjects.length;
  const train: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < n; i++) (isTrainClip(split, ds.subjects[i]!, ds.cameras[i]!) ? train : val).push(i);
  if (n > 0 && (train.length === 0 || val.length === 0)) {
    throw new RangeError(
      `split ${split}: the ${train.length === 0 ? 'training' : 'validation'} part is empty (${split === 'xsub' ? 'use at least 3 subjects' : 'use at least 2 cameras'})`,
    );
  }
  return { train, val };
}

/** Train and validation parts of a split (copies), in dataset order. */
export function splitSynthetic(
  ds: SyntheticDataset,
  split: SyntheticSplit,
): { train: SyntheticPart; val: SyntheticPart } {
  const [, c, t, v, m] = ds.shape;
  const per = c * t * v * m;
  const { train: trainIdx, val: valIdx } = splitIndices(ds, split);
  const take = (idx: number[]): SyntheticPart => {
    const data = new Float32Array(idx.length * per);
    idx.forEach((src, dst) => {
      data.set(ds.data.subarray(src * per, (src + 1) * per), dst * per);
    });
    return {
      data,
      shape: [idx.length, c, t, v, m],
      labels: Int32Array.from(idx, (i) => ds.labels[i]!),
      subjects: Int32Array.from(idx, (i) => ds.subjects[i]!),
      cameras: Int32Array.from(idx, (i) => ds.cameras[i]!),
    };
  };
  return { train: take(trainIdx), val: take(valIdx) };
}
