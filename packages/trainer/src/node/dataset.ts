// A clip set read from .npy files (the AimCLR/PSTL split layout); the set itself is ../data/dataset.ts.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type BatchShape, type SkeletonBatch, toNumbers } from '@asma/skeleton';
import { NpyReader, readNpy } from '@asma/skeleton/node';
import { type ClipDataset, checkFiniteClips, DatasetError, MAX_CLASSES } from '../data/dataset.js';

/** The class count a split folder declares (meta.json's classNames, as asma data synth writes), or null. */
export function declaredClassCount(dir: string): { classes: number; file: string } | null {
  const file = join(dir, 'meta.json');
  if (!existsSync(file)) return null;
  let meta: unknown;
  try {
    meta = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DatasetError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const names = (meta as { classNames?: unknown } | null)?.classNames;
  return Array.isArray(names) && names.length > 0 ? { classes: names.length, file } : null;
}

/** Read clips (and labels, when a label file is given) from .npy files. */
export function loadDataset(dataPath: string, labelPath?: string): ClipDataset {
  const reader = NpyReader.open(dataPath);
  let clips: SkeletonBatch;
  try {
    const shape = reader.shape;
    if (shape.length !== 5 || shape.some((d) => d < 1))
      throw new DatasetError(
        `${dataPath}: expected clips of shape (N, C, T, V, M), got (${shape.join(', ')})`,
      );
    if (reader.dtype !== '<f4' && reader.dtype !== '<f8')
      throw new DatasetError(`${dataPath}: expected float32 or float64 clips, got dtype ${reader.dtype}`);
    const data = reader.readRows(0, shape[0]!, { asFloat32: true }) as Float32Array;
    clips = { data, shape: shape as BatchShape };
  } finally {
    reader.close();
  }
  checkFiniteClips(clips.data, clips.shape, dataPath);
  if (labelPath === undefined) return { clips, labels: null, source: dataPath };
  const declared = declaredClassCount(dirname(labelPath));
  const labels = readLabels(labelPath, clips.shape[0], declared ?? undefined);
  return { clips, labels, source: dataPath, labelSource: labelPath };
}

/**
 * An (N,) integer label file; labels must be non-negative integers below MAX_CLASSES, and below
 * `declared.classes` when the dataset declares its classes (`declared.file` is named in the error).
 */
export function readLabels(
  path: string,
  expected?: number,
  declared?: { classes: number; file: string },
): Int32Array {
  const arr = readNpy(path);
  if (arr.shape.length !== 1)
    throw new DatasetError(`${path}: expected a 1-D label array, got shape (${arr.shape.join(', ')})`);
  if (expected !== undefined && arr.shape[0] !== expected)
    throw new DatasetError(`${path}: has ${arr.shape[0]} labels for ${expected} clips`);
  const values = toNumbers(arr.data);
  const labels = new Int32Array(values.length);
  values.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff)
      throw new DatasetError(`${path}: label ${i} is ${v}, expected a non-negative integer`);
    if (v >= MAX_CLASSES)
      throw new DatasetError(
        `${path}: label ${i} is ${v}; class indices must be below ${MAX_CLASSES} (a corrupt label file?)`,
      );
    if (declared !== undefined && v >= declared.classes)
      throw new DatasetError(
        `${path}: label ${i} is ${v}, but ${declared.file} declares ${declared.classes} classes (0..${declared.classes - 1})`,
      );
    labels[i] = v;
  });
  return labels;
}
