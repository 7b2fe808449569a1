/** Clip sets from an AimCLR/PSTL split folder (<split>_position.npy, <split>_label.npy, meta.json), as `asma data` writes them. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ClipDataset } from '@asma/trainer';
import { loadDataset } from '@asma/trainer/node';
import { UsageError } from './command.js';

export type SplitName = 'train' | 'val';

/** What a split folder's meta.json says about its classes (both optional). */
export interface SplitMeta {
  numClasses?: number;
  classNames?: string[];
}

/** Throw unless `dir` is a folder (the usual mistake is passing a .npy file). */
export function requireSplitDir(option: string, dir: string): void {
  if (!existsSync(dir)) {
    const hint = existsSync(join(dir, '..', 'train_position.npy'))
      ? ` ('${join(dir, '..')}' is a split folder)`
      : '';
    throw new UsageError(`--${option}: no such folder '${dir}'${hint}`);
  }
  if (!statSync(dir).isDirectory())
    throw new UsageError(
      `--${option}: '${dir}' is a file; expected a split folder holding train_position.npy, train_label.npy, val_position.npy, val_label.npy`,
    );
}

/**
 * The class count and names of `<dir>/meta.json` (written by asma data synth|ntu|pku); empty when the
 * folder has none. A meta.json that is not JSON, or whose fields have the wrong type, is an error
 * naming the file and field.
 */
export function readSplitMeta(dir: string): SplitMeta {
  const path = join(dir, 'meta.json');
  if (!existsSync(path)) return {};
  let meta: unknown;
  try {
    meta = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta))
    throw new Error(`${path}: expected a JSON object`);
  const { numClasses, classNames } = meta as Record<string, unknown>;
  const out: SplitMeta = {};
  if (classNames !== undefined) {
    if (!Array.isArray(classNames) || !classNames.every((n) => typeof n === 'string'))
      throw new Error(`${path}: classNames: expected an array of strings`);
    out.classNames = classNames;
  }
  if (numClasses !== undefined && numClasses !== null) {
    if (typeof numClasses !== 'number' || !Number.isInteger(numClasses) || numClasses < 1)
      throw new Error(`${path}: numClasses: expected a positive integer, got ${JSON.stringify(numClasses)}`);
    out.numClasses = numClasses;
  }
  if (out.classNames && out.numClasses !== undefined && out.classNames.length !== out.numClasses)
    throw new Error(
      `${path}: classNames has ${out.classNames.length} names but numClasses is ${out.numClasses}`,
    );
  out.numClasses ??= out.classNames?.length;
  return out;
}

/**
 * Load one split; `labels` also reads <split>_label.npy, and then meta.json's class count and names
 * (the dataset's, not the largest label + 1). Missing files are usage errors naming the file.
 */
export function loadSplit(option: string, dir: string, split: SplitName, labels = true): ClipDataset {
  requireSplitDir(option, dir);
  const data = join(dir, `${split}_position.npy`);
  const label = join(dir, `${split}_label.npy`);
  for (const f of labels ? [data, label] : [data])
    if (!existsSync(f)) {
      const inside = readdirSync(dir).filter((d) => existsSync(join(dir, d, `${split}_position.npy`)));
      const old = existsSync(join(dir, `${split}_data.npy`))
        ? ` (it has ${split}_data.npy from an older asma data ntu|pku: convert again, or rename it)`
        : inside.length > 0
          ? ` (it holds the split folder(s) ${inside.map((d) => `'${join(dir, d)}'`).join(', ')}: pass one of those)`
          : ' (write one with asma data synth|ntu|pku)';
      throw new UsageError(`--${option}: '${dir}' has no ${f.slice(dir.length + 1)}${old}`);
    }
  const d = loadDataset(data, labels ? label : undefined);
  if (!labels) return d;
  const meta = readSplitMeta(dir);
  if (meta.numClasses !== undefined) d.classes = meta.numClasses;
  if (meta.classNames !== undefined) d.classNames = meta.classNames;
  return d;
}
