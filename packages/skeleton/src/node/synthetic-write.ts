import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@asma/util/node';
import { int64Array } from '../npy.js';
import type { SyntheticDataset } from '../synthetic/generate.js';
import { type SyntheticSplit, splitIndices } from '../synthetic/split.js';
import { NpyWriter, writeNpy } from './npy-file.js';

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
 * Clips are streamed into the files (NpyWriter): no copy of the split is made in memory.
 */
export function writeSyntheticSplit(
  out: string,
  ds: SyntheticDataset,
  split: SyntheticSplit,
  extraMeta: Record<string, unknown> = {},
): WrittenSplit {
  const dir = join(out, split);
  mkdirSync(dir, { recursive: true });
  const parts = splitIndices(ds, split);
  const [, c, t, v, m] = ds.shape;
  const per = c * t * v * m;
  for (const name of ['train', 'val'] as const) {
    const idx = parts[name];
    const writer = new NpyWriter(join(dir, `${name}_position.npy`), '<f4', [c, t, v, m]);
    try {
      for (const i of idx) writer.append(ds.data.subarray(i * per, (i + 1) * per));
      writer.close();
    } catch (err) {
      writer.abort();
      throw err;
    }
    writeNpy(join(dir, `${name}_label.npy`), int64Array(idx.map((i) => ds.labels[i]!)), [idx.length]);
  }
  const pick = (idx: number[], from: Int32Array): number[] => idx.map((i) => from[i]!);
  const meta = {
    format: 'asma-synthetic-v1',
    split,
    numClasses: ds.classNames.length,
    classNames: ds.classNames,
    shape: { train: [parts.train.length, c, t, v, m], val: [parts.val.length, c, t, v, m] },
    layout:
      'ntu25, (N, C=3, T, V=25, M=2) float32, centred on joint 21 per frame and body (frame50 convention, no shoulder alignment)',
    train: { subjects: pick(parts.train, ds.subjects), cameras: pick(parts.train, ds.cameras) },
    val: { subjects: pick(parts.val, ds.subjects), cameras: pick(parts.val, ds.cameras) },
    ...extraMeta,
  };
  writeFileAtomic(join(dir, 'meta.json'), `${JSON.stringify(meta)}\n`);
  return { dir, train: parts.train.length, val: parts.val.length };
}
