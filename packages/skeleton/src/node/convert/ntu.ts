import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SkeletonParseError } from '../../errors.js';
import { type ActorStrategy, selectActors } from '../../ntu/actors.js';
import { parseNtuName } from '../../ntu/name.js';
import { frame50 } from '../../preprocess/frame50.js';
import {
  checkNtuSplit,
  inNtuBenchmark,
  isNtuTraining,
  NTU_CLASSES,
  type NtuBenchmark,
  type NtuSplit,
  parseNameList,
} from '../../splits.js';
import { readNtuSkeleton } from '../read-skeleton.js';
import { type ConversionSummary, runConversion, type Skipped } from './engine.js';

export interface ConvertNtuOptions {
  split: NtuSplit;
  benchmark?: NtuBenchmark;
  out: string;
  /** How the two bodies are chosen (default 'energy'; 'first' reproduces AimCLR's files). */
  actors?: ActorStrategy;
  /** Output frames (default 50). */
  frames?: number;
  /** A missing-skeleton list file (one name per line); listed files are skipped without being read. */
  missingList?: string;
  shardSize?: number;
  logPath?: string | null;
  silent?: boolean;
  onSource?(done: number): void;
}

/**
 * Convert a folder of NTU .skeleton files to one split folder in the AimCLR frame50 layout:
 * `<out>/{train,val}_position.npy` (N, 3, frames, 25, 2) float32, `{train,val}_label.npy` int64
 * (action - 1), `manifest.json` and `meta.json` (`numClasses`: 60 for ntu60, 120 for ntu120, so a
 * small conversion still has the dataset's class count).
 * Files are taken in sorted name order; files outside the benchmark (NTU-60: S001-S017, A001-A060)
 * are ignored; unreadable files, files without a usable body and files in `missingList` are
 * skipped and named in the manifest. Resumable (see runConversion).
 */
export function convertNtu(rawDir: string, opts: ConvertNtuOptions): ConversionSummary {
  const benchmark = opts.benchmark ?? 'ntu60';
  const frames = opts.frames ?? 50;
  checkNtuSplit(benchmark, opts.split);
  const missing = opts.missingList
    ? parseNameList(readFileSync(opts.missingList, 'utf8'))
    : new Set<string>();
  const preSkipped: Skipped[] = [];
  const sources: string[] = [];
  for (const f of readdirSync(rawDir).sort()) {
    if (!f.endsWith('.skeleton')) continue;
    let meta: ReturnType<typeof parseNtuName>;
    try {
      meta = parseNtuName(f);
    } catch (err) {
      if (!(err instanceof SkeletonParseError)) throw err;
      preSkipped.push({ name: f, reason: err.message });
      continue;
    }
    if (!inNtuBenchmark(meta, benchmark)) continue;
    if (missing.has(meta.name)) {
      preSkipped.push({ name: meta.name, reason: 'in the missing-skeleton list' });
      continue;
    }
    sources.push(f);
  }
  return runConversion({
    out: opts.out,
    sources,
    rowShape: [3, frames, 25, 2],
    config: {
      dataset: 'ntu',
      benchmark,
      split: opts.split,
      frames,
      actors: opts.actors ?? 'energy',
      sizes: sources.map((f) => statSync(join(rawDir, f)).size),
      missing: [...missing].sort(),
    },
    meta: {
      format: 'asma-split-v1',
      dataset: benchmark,
      split: opts.split,
      numClasses: NTU_CLASSES[benchmark],
      frames,
      layout: 'ntu25, (N, C=3, T, V=25, M=2) float32, frame50 (centred on joint 21, shoulders aligned to x)',
    },
    preSkipped,
    shardSize: opts.shardSize,
    logPath: opts.logPath,
    silent: opts.silent,
    onSource: opts.onSource,
    label: `ntu ${benchmark} ${opts.split}`,
    process(f) {
      const meta = parseNtuName(f);
      const raw = selectActors(readNtuSkeleton(join(rawDir, f)), { strategy: opts.actors });
      const data = frame50(raw.data, raw.frames, { frames, file: f });
      const part = isNtuTraining(meta, benchmark, opts.split) ? 'train' : 'val';
      return { rows: [{ name: meta.name, label: meta.label, part, data }], skipped: [] };
    },
  });
}
