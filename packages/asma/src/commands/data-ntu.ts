import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NtuBenchmark, NtuSplit } from '@asma/skeleton';
import { type ConversionSummary, convertNtu } from '@asma/skeleton/node';
import { intOption, parseOptions } from '../args.js';
import { type Command, UsageError } from '../command.js';

const help = `usage: asma data ntu <raw-dir> --split xsub|xview|xset --out <dir> [options]

Convert NTU RGB+D .skeleton files to the frame50 split folder used by SkeletonCLR / AimCLR
(<out>/<split>/ is what --data of pretrain, linear, finetune, eval, ... takes):
  <out>/<split>/train_position.npy, val_position.npy   (N, 3, frames, 25, 2) float32 (centred on
                                          joint 21, valid frames resized to 'frames', shoulders aligned to x)
  <out>/<split>/train_label.npy, val_label.npy         (N,) int64, action - 1
  <out>/<split>/meta.json                 numClasses: 60 (ntu60) or 120 (ntu120), whatever labels occur
  <out>/<split>/manifest.json             clip names per part, skipped files and why
  <out>/<split>/convert-log.jsonl         machine-readable log
Two actors are kept per clip (see --actors). Files that do not parse or hold no body
are skipped and named. An interrupted run resumes where it stopped when run again with the same
arguments. Exits 1 when no clip could be converted.

options:
  --split <s>          xsub or xview (ntu60), xsub or xset (ntu120)   (required)
  --out <dir>          output folder (required)
  --benchmark <b>      ntu60 (S001-S017, A001-A060; default) or ntu120
  --missing <file>     NTU's missing-skeleton list (one name per line): skipped without reading
  --frames <n>         output frames (default 50)
  --actors <a>         energy: the two most active bodies (default, as 2s-AGCN);
                       first: the first two listed bodies (as CrosSCLR/AimCLR's published files)`;

export const dataNtuCommand: Command = {
  path: ['data', 'ntu'],
  summary: 'convert raw NTU RGB+D .skeleton files to frame50 .npy (xsub / xview / xset)',
  help,
  async run(args) {
    const { values, positionals } = parseOptions(
      args,
      ['split', 'out', 'benchmark', 'missing', 'frames', 'actors'],
      true,
    );
    if (positionals.length !== 1) throw new UsageError('expected exactly one <raw-dir>');
    if (!values.out) throw new UsageError('--out <dir> is required');
    if (!existsSync(positionals[0]!)) throw new UsageError(`no such folder: ${positionals[0]}`);
    const benchmark = (values.benchmark ?? 'ntu60') as NtuBenchmark;
    if (benchmark !== 'ntu60' && benchmark !== 'ntu120')
      throw new UsageError(`--benchmark must be ntu60 or ntu120, got '${values.benchmark}'`);
    const split = values.split as NtuSplit;
    const allowed = benchmark === 'ntu60' ? ['xsub', 'xview'] : ['xsub', 'xset'];
    if (!allowed.includes(split))
      throw new UsageError(
        `--split must be ${allowed.join(' or ')} for ${benchmark}, got '${values.split ?? ''}'`,
      );
    const actors = values.actors ?? 'energy';
    if (actors !== 'energy' && actors !== 'first')
      throw new UsageError(`--actors must be energy or first, got '${actors}'`);
    const summary = convertNtu(positionals[0]!, {
      actors,
      split,
      benchmark,
      out: join(values.out, split),
      missingList: values.missing,
      frames: intOption('frames', values.frames, 50, 1),
    });
    return reportConversion(summary);
  },
};

/** Print a conversion's counts and skipped files; exit code 1 only when nothing was converted. */
export function reportConversion(s: ConversionSummary): number {
  const shown = 20;
  for (const k of s.skipped.slice(0, shown)) console.error(`skipped ${k.name}: ${k.reason}`);
  if (s.skipped.length > shown) console.error(`... and ${s.skipped.length - shown} more (see manifest.json)`);
  const resumed = s.resumedShards > 0 ? ` (resumed ${s.resumedShards} shards)` : '';
  console.log(`${s.train} train / ${s.val} val clips, ${s.skipped.length} skipped -> ${s.out}${resumed}`);
  if (s.train + s.val === 0) {
    console.error('error: no clip could be converted');
    return 1;
  }
  return 0;
}
