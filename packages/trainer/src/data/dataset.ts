/**
 * A labelled clip set held in memory: (N, C, T, V, M) float32 clips plus optional int labels, read
 * from the AimCLR/PSTL layout (<split>_position.npy, <split>_label.npy: ../node/dataset.ts) or built
 * from arrays.
 * Training gathers random batches by index, so the clips live in one Float32Array.
 */
import { firstNonFinite } from '@asma/autodiff';
import type { SkeletonBatch } from '@asma/skeleton';

export interface ClipDataset {
  clips: SkeletonBatch;
  /** One label per clip (0-based class), or null for unlabelled data (pretraining). */
  labels: Int32Array | null;
  /** Where the clips came from, for messages. */
  source: string;
  /** The dataset's class count (e.g. 60 for NTU-60, from the split folder's meta.json); absent: inferred from the labels. */
  classes?: number;
  /** Class names, index = label, when the data names them. */
  classNames?: readonly string[];
  /** Where the labels came from (the label file), for messages about labels. */
  labelSource?: string;
}

/**
 * Labels above this are refused: a model of that many classes would not fit in memory (a corrupt
 * label of 2^31 failed with "Array buffer allocation failed" and no file named).
 */
export const MAX_CLASSES = 100_000;

/** Data that cannot serve as a clip set: names the file and what was expected. */
export class DatasetError extends Error {
  override name = 'DatasetError';
}

/** Clips per dataset: shape[0]. */
export function clipCount(d: ClipDataset): number {
  return d.clips.shape[0];
}

/**
 * Number of classes: the dataset's own count when it has one (a small conversion of NTU-60 may hold
 * labels up to 50 only and still has 60 classes), else 1 + the largest label. Throws for unlabelled
 * data and for a label outside the stated count.
 */
export function classCount(d: ClipDataset): number {
  const labels = requireLabels(d);
  let max = -1;
  for (const l of labels) if (l > max) max = l;
  if (max >= MAX_CLASSES)
    throw new DatasetError(
      `${d.labelSource ?? d.source}: label ${max} would make a ${max + 1}-class model; at most ${MAX_CLASSES} classes are supported`,
    );
  if (d.classes === undefined) return max + 1;
  if (max >= d.classes)
    throw new DatasetError(
      `${d.labelSource ?? d.source}: label ${max} is outside the dataset's ${d.classes} classes (0..${d.classes - 1})`,
    );
  return d.classes;
}

export function requireLabels(d: ClipDataset): Int32Array {
  if (d.labels === null) throw new DatasetError(`${d.source}: labels are needed here, but none were given`);
  return d.labels;
}

/**
 * Throw DatasetError naming the file, clip and frame of the first NaN or Inf in (n, C, T, V, M) clips
 * `data`; `firstClip` is the file's index of data's first clip (for a file read in batches).
 */
export function checkFiniteClips(
  data: Float32Array | Float64Array,
  shape: readonly number[],
  path: string,
  firstClip = 0,
): void {
  const i = firstNonFinite(data);
  if (i < 0) return;
  const [, c = 1, t = 1, v = 1, m = 1] = shape;
  const per = c * t * v * m;
  const frame = Math.floor((i % per) / (v * m)) % t;
  throw new DatasetError(
    `${path}: clip ${firstClip + Math.floor(i / per)} frame ${frame} holds a non-finite value (${data[i]})`,
  );
}

/** Clips `indices` (in that order) as one batch, and their labels. */
export function gatherClips(
  d: ClipDataset,
  indices: ArrayLike<number>,
): { batch: SkeletonBatch; labels: Int32Array | null } {
  const [, c, t, v, m] = d.clips.shape;
  const per = c * t * v * m;
  const data = new Float32Array(indices.length * per);
  const labels = d.labels === null ? null : new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const idx = indices[i]!;
    if (!Number.isInteger(idx) || idx < 0 || idx >= d.clips.shape[0])
      throw new RangeError(`${d.source}: clip index ${idx} is outside 0..${d.clips.shape[0] - 1}`);
    data.set(d.clips.data.subarray(idx * per, (idx + 1) * per), i * per);
    if (labels !== null) labels[i] = d.labels![idx]!;
  }
  return { batch: { data, shape: [indices.length, c, t, v, m] }, labels };
}

/** The clips at `indices` as a new dataset (e.g. a semi-supervised subset). */
export function subset(
  d: ClipDataset,
  indices: ArrayLike<number>,
  source = `${d.source} (subset)`,
): ClipDataset {
  const { batch, labels } = gatherClips(d, indices);
  const named = d.classNames === undefined ? {} : { classNames: d.classNames };
  return {
    clips: batch,
    labels,
    source,
    ...(d.classes === undefined ? {} : { classes: d.classes }),
    ...named,
  };
}

/**
 * Batches of one epoch: a seeded permutation (when `order` is given) cut into batches of
 * `batchSize`; the last, incomplete batch is dropped when `dropLast` (BatchNorm and Barlow Twins
 * need more than one clip per batch).
 */
export function epochBatches(
  count: number,
  batchSize: number,
  order: readonly number[] | null,
  dropLast: boolean,
): number[][] {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const idx = order ?? Array.from({ length: count }, (_, i) => i);
  const out: number[][] = [];
  for (let s = 0; s < idx.length; s += batchSize) {
    const b = idx.slice(s, s + batchSize);
    if (b.length < batchSize && dropLast) break;
    out.push(b);
  }
  return out;
}
