/**
 * The benchmarks of the paper's table that `asma reproduce` can build from raw downloads, and their
 * conversion (resumable: the converters skip finished shards).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NtuBenchmark, NtuSplit } from '@asma/skeleton';
import { type ConversionSummary, convertNtu, convertPku } from '@asma/skeleton/node';
import { UsageError } from '../command.js';

export interface RawSources {
  ntu60?: string;
  ntu120?: string;
  /** PKU-MMD phase I folder: skeleton/ (or Skeleton/), label/ (or Label/), cross-subject.txt [cross-view.txt]. */
  pku?: string;
  /** PKU-MMD phase II folder, the same layout: the transfer target of the NTU pretrainings. */
  pku2?: string;
  /** NTU's missing-skeleton list. */
  missing?: string;
}

export interface Benchmark {
  /** Column id, e.g. ntu60-xsub. */
  id: string;
  /** Column title in the paper's layout, e.g. 'NTU-60 xsub'. */
  title: string;
  /** Pretrained and evaluated (false: only a transfer target). */
  pretrain: boolean;
  convert(out: string, frames: number): ConversionSummary;
}

/** A PKU-MMD folder's parts, accepting the download's capitalised names. */
export function pkuParts(
  option: string,
  dir: string,
): { skeleton: string; label: string; splits: Record<string, string> } {
  const pick = (names: string[], what: string) => {
    const found = names.map((n) => join(dir, n)).find((p) => existsSync(p));
    if (!found)
      throw new UsageError(
        `--${option} ${dir}: no ${what} (expected one of ${names.map((n) => join(dir, n)).join(', ')})`,
      );
    return found;
  };
  const skeleton = pick(['skeleton', 'Skeleton', 'PKU_Skeleton_Renew'], 'skeleton folder');
  const label = pick(['label', 'Label', 'Train_Label_PKU_final'], 'label folder');
  const files = readdirSync(dir);
  const splits: Record<string, string> = {};
  for (const f of files) {
    if (/subject/i.test(f) && f.endsWith('.txt')) splits.xsub = join(dir, f);
    if (/view/i.test(f) && f.endsWith('.txt')) splits.xview = join(dir, f);
  }
  if (Object.keys(splits).length === 0)
    throw new UsageError(
      `--${option} ${dir}: no split file (expected cross-subject.txt and/or cross-view.txt)`,
    );
  return { skeleton, label, splits };
}

function ntu(raw: string, benchmark: NtuBenchmark, split: NtuSplit, missing?: string): Benchmark {
  const name = benchmark === 'ntu60' ? 'NTU-60' : 'NTU-120';
  return {
    id: `${benchmark}-${split}`,
    title: `${name} ${split}`,
    pretrain: true,
    convert: (out, frames) =>
      convertNtu(raw, {
        split,
        benchmark,
        out,
        frames,
        missingList: missing,
        actors: 'energy',
        silent: true,
      }),
  };
}

function pku(option: string, dir: string, phase: 1 | 2): Benchmark[] {
  const parts = pkuParts(option, dir);
  return Object.entries(parts.splits).map(([split, file]) => ({
    id: `pku${phase === 1 ? '' : '2'}-${split}`,
    title: `PKU-MMD ${phase === 1 ? 'I' : 'II'} ${split}`,
    pretrain: phase === 1,
    convert: (out: string, frames: number) =>
      convertPku(parts.skeleton, parts.label, file, {
        out,
        split,
        frames,
        numClasses: phase === 1 ? 51 : 41,
        silent: true,
      }),
  }));
}

/** Every benchmark the given downloads make, in the paper's column order. */
export function benchmarksOf(s: RawSources): Benchmark[] {
  for (const [option, dir] of Object.entries(s))
    if (dir !== undefined && !existsSync(dir)) throw new UsageError(`--${option}: no such path: ${dir}`);
  const list: Benchmark[] = [];
  if (s.ntu60) list.push(ntu(s.ntu60, 'ntu60', 'xsub', s.missing), ntu(s.ntu60, 'ntu60', 'xview', s.missing));
  if (s.ntu120)
    list.push(ntu(s.ntu120, 'ntu120', 'xsub', s.missing), ntu(s.ntu120, 'ntu120', 'xset', s.missing));
  if (s.pku) list.push(...pku('pku', s.pku, 1));
  if (s.pku2) list.push(...pku('pku2', s.pku2, 2).filter((b) => b.id === 'pku2-xsub'));
  if (!list.some((b) => b.pretrain))
    throw new UsageError(
      'asma reproduce needs at least one of --ntu60, --ntu120, --pku (raw download folders)',
    );
  return list;
}
