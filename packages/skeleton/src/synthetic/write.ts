import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@asma/kernels';
import { int64Array, writeNpy } from '../npy.js';
import type { SyntheticDataset } from './generate.js';
import { type SyntheticSplit, splitSynthetic } from './split.js';

export interface WrittenSplit {
  dir: string;
  train: number;
  val: number;
}

/**
 * Write one split in the layout AimCLR / PSTL read (their configs point at train_position.npy and
 * val_position.npy): <out>/<split>/train_position.npy, val_position.npy ((N, 3, T, 25, 2) float32,
 * C order), train_label.npy, val_label.npy (int64 class indices; PSTL keeps labels in a pickle,
 * we use .npy so no Python is needed) and meta.json (class names, subject and camera of each clip).
 */
export function writeSyntheticSplit(
  out: string,
  ds: SyntheticDataset,
  split: SyntheticSplit,
  extraMeta: Record<string, unknown> = {},
): WrittenSplit {
  const dir = join(out, split);
  mkdirSync(dir, { recursive: true });
  const { train, val } = splitSynthetic(ds, split);
  for (const [name, part] of [
    ['train', train],
    ['val', val],
  ] as const) {
    writeNpy(join(dir, `${name}_position.npy`), part.data, part.shape);
    writeNpy(join(dir, `${name}_label.npy`), int64Array(part.labels), [part.labels.length]);
  }
  const meta = {
    format: 'asma-synthetic-v1',
    split,
    classNames: ds.classNames,
    shape: { train: train.shape, val: val.shape },
    layout:
      'ntu25, (N, C=3, T, V=25, M=2) float32, centred on joint 21 per frame and body (frame50 convention, no shoulder alignment)',
    train: { subjects: Array.from(train.subjects), cameras: Array.from(train.cameras) },
    val: { subjects: Array.from(val.subjects), cameras: Array.from(val.cameras) },
    ...extraMeta,
  };
  writeFileAtomic(join(dir, 'meta.json'), `${JSON.stringify(meta)}\n`);
  return { dir, train: train.shape[0], val: val.shape[0] };
}
