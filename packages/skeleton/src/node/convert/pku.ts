import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SkeletonParseError } from '../../errors.js';
import { parsePkuLabels, parsePkuSplit, pkuClip } from '../../pku/parse.js';
import { frame50 } from '../../preprocess/frame50.js';
import { readPkuSkeleton } from '../read-skeleton.js';
import { type ConversionSummary, runConversion, type SourceResult } from './engine.js';

export interface ConvertPkuOptions {
  out: string;
  /** Split name recorded in meta.json (e.g. 'xsub' for the cross-subject file). */
  split?: string;
  frames?: number;
  /** Number of classes: 51 for phase I (default), 41 for phase II. */
  numClasses?: number;
  shardSize?: number;
  logPath?: string | null;
  silent?: boolean;
  onSource?(done: number): void;
}

/**
 * Convert PKU-MMD videos to frame50 clips: for each video id of the split file (training ids
 * first, then validation ids, in the file's order), `<skeletonDir>/<id>.txt` and
 * `<labelDir>/<id>.txt` give one clip per labelled action (frames start..end inclusive), named
 * `<id>:<label-line>`. Same outputs and resumability as convertNtu; meta.json's `numClasses` is
 * `opts.numClasses` (51 by default).
 */
export function convertPku(
  skeletonDir: string,
  labelDir: string,
  splitFile: string,
  opts: ConvertPkuOptions,
): ConversionSummary {
  const frames = opts.frames ?? 50;
  const numClasses = opts.numClasses ?? 51;
  const split = parsePkuSplit(readFileSync(splitFile, 'utf8'), splitFile);
  const partOf = new Map<string, 'train' | 'val'>();
  for (const id of split.train) partOf.set(id, 'train');
  for (const id of split.val) {
    if (partOf.has(id))
      throw new SkeletonParseError(splitFile, 0, 'video id', 'each id in one part only', `'${id}' in both`);
    partOf.set(id, 'val');
  }
  const sources = [...partOf.keys()];
  const size = (p: string) => (existsSync(p) ? statSync(p).size : -1);
  return runConversion({
    out: opts.out,
    sources,
    rowShape: [3, frames, 25, 2],
    config: {
      dataset: 'pku',
      frames,
      numClasses,
      sizes: sources.map((id) => [size(join(skeletonDir, `${id}.txt`)), size(join(labelDir, `${id}.txt`))]),
    },
    meta: {
      format: 'asma-split-v1',
      dataset: 'pku-mmd',
      split: opts.split ?? null,
      numClasses,
      frames,
      layout: 'ntu25, (N, C=3, T, V=25, M=2) float32, frame50 (centred on joint 21, shoulders aligned to x)',
    },
    shardSize: opts.shardSize,
    logPath: opts.logPath,
    silent: opts.silent,
    onSource: opts.onSource,
    label: 'pku',
    process(id): SourceResult {
      const part = partOf.get(id)!;
      const labelPath = join(labelDir, `${id}.txt`);
      const actions = parsePkuLabels(readFileSync(labelPath, 'utf8'), `${id}.txt (labels)`, numClasses);
      const sk = readPkuSkeleton(join(skeletonDir, `${id}.txt`));
      const result: SourceResult = { rows: [], skipped: [] };
      for (const a of actions) {
        const name = `${id}:${a.line}`;
        try {
          const clip = pkuClip(sk, a);
          result.rows.push({
            name,
            label: a.label,
            part,
            data: frame50(clip.data, clip.frames, { frames, file: name }),
          });
        } catch (err) {
          if (!(err instanceof SkeletonParseError)) throw err;
          result.skipped.push({ name, reason: err.message });
        }
      }
      return result;
    },
  });
}
