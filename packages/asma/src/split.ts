/** Clip sets from an AimCLR/PSTL split folder (<split>_position.npy, <split>_label.npy), as `asma data` writes them. */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type ClipDataset, loadDataset } from '@asma/trainer';
import { UsageError } from './command.js';

export type SplitName = 'train' | 'val';

/** Throw unless `dir` is a folder (the usual mistake is passing a .npy file). */
export function requireSplitDir(option: string, dir: string): void {
  if (!existsSync(dir)) throw new UsageError(`--${option}: no such folder '${dir}'`);
  if (!statSync(dir).isDirectory())
    throw new UsageError(
      `--${option}: '${dir}' is a file; expected a split folder holding train_position.npy, train_label.npy, val_position.npy, val_label.npy`,
    );
}

/** Load one split; `labels` also reads <split>_label.npy. Missing files are usage errors naming the file. */
export function loadSplit(option: string, dir: string, split: SplitName, labels = true): ClipDataset {
  requireSplitDir(option, dir);
  const data = join(dir, `${split}_position.npy`);
  const label = join(dir, `${split}_label.npy`);
  for (const f of labels ? [data, label] : [data])
    if (!existsSync(f))
      throw new UsageError(
        `--${option}: '${dir}' has no ${f.slice(dir.length + 1)} (write one with asma data synth|ntu|pku)`,
      );
  return loadDataset(data, labels ? label : undefined);
}
