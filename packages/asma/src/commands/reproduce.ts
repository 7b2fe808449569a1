import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatDuration } from '@asma/util';
import { JsonlLog } from '@asma/util/node';
import { floatOption, intOption, parseOptions } from '../args.js';
import { type Command, UsageError } from '../command.js';
import { PAPER_RECIPE, reproduce } from '../reproduce/run.js';
import { requireWritableDir } from '../writable.js';

const p = PAPER_RECIPE;
const help = `usage: asma reproduce --out <dir> [--ntu60 <raw>] [--ntu120 <raw>] [--pku <dir>] [--pku2 <dir>] [options]

The paper's table from raw downloads: converts every benchmark (NTU-60 xsub/xview, NTU-120 xsub/xset,
PKU-MMD I xsub [xview]), pretrains ASMa on each at the paper's settings, runs every protocol on the
pretrained pair (linear and kNN on frozen A+B features, the aligned teacher, fine-tuning,
semi-supervised with 1 % and 10 % of the labels, transfer of every NTU pretraining to PKU-MMD II by
fine-tuning, the distilled student) and writes the table in the paper's layout.

Before it commits, it times the first pretraining epoch and prints an estimate of the whole run; without
--yes it stops there (the epoch is kept: run again with --yes and it goes on from that checkpoint).
Every stage is resumable: conversion shards, pretraining and fine-tuning checkpoints, and one result
file per protocol; re-running the same command skips what is done. A folder started with other
settings is refused.

inputs (at least one of --ntu60, --ntu120, --pku):
  --ntu60 <dir>          NTU RGB+D 60 .skeleton files (S001-S017)
  --ntu120 <dir>         NTU RGB+D 120 .skeleton files
  --missing <file>       NTU's missing-skeleton list (skipped without reading)
  --pku <dir>            PKU-MMD phase I: skeleton/ (or Skeleton/), label/ (or Label/), cross-subject.txt
                         [and cross-view.txt]; 51 classes
  --pku2 <dir>           PKU-MMD phase II, the same layout (41 classes): the transfer target

writes, under --out: table.md (the table; rewritten after every stage), results.json, recipe.json,
estimate.json, reproduce.jsonl (machine-readable log), and per benchmark <id>/data (converted split),
<id>/pretrain (checkpoint, encoders, log), <id>/results/*.json, fine-tuning checkpoints.

options (defaults: the paper's):
  --out <dir>            output folder (required)
  --yes                  go on after the estimate
  --epochs <n>           pretraining epochs (default ${p.pretrainEpochs})
  --frames <n>           frames per clip (default ${p.frames})
  --base <n>             ST-GCN base width (default ${p.base}: ST-GCN-16)
  --features <n>         encoder output features (default ${p.features})
  --width <n>            projector width (default ${p.projectorWidth})
  --lambda <x>           Barlow Twins off-diagonal weight (default ${p.lambda})
  --batch <n>            batch size (default ${p.batchSize})
  --lr <x>               pretraining Adam learning rate (default ${p.lr})
  --warmup <n>           warm-up epochs (default ${p.warmupEpochs})
  --linear-epochs <n>    linear probe epochs (default ${p.linearEpochs})
  --align-epochs <n>     alignment-module epochs (default ${p.alignEpochs})
  --finetune-epochs <n>  fine-tune and transfer epochs (default ${p.finetuneEpochs})
  --semi-epochs <n>      semi-supervised epochs (default ${p.semiEpochs})
  --distill-epochs <n>   student distillation epochs (default ${p.distillEpochs}; 0 leaves it out)
  --seed <n>             seed of every draw (default 0)`;

const recipeOptions = [
  'epochs',
  'frames',
  'base',
  'features',
  'width',
  'lambda',
  'batch',
  'lr',
  'warmup',
  'linear-epochs',
  'align-epochs',
  'finetune-epochs',
  'semi-epochs',
  'distill-epochs',
  'seed',
];

export const reproduceCommand: Command = {
  path: ['reproduce'],
  summary:
    "the paper's table from raw NTU / PKU-MMD downloads: convert, pretrain, every protocol (resumable)",
  help,
  onDevice: true,
  async run(args) {
    const { values, flags } = parseOptions(
      args,
      ['out', 'ntu60', 'ntu120', 'pku', 'pku2', 'missing', ...recipeOptions],
      false,
      ['yes'],
    );
    if (!values.out) throw new UsageError('--out <dir> is required');
    requireWritableDir('out', values.out);
    const epochs = intOption('epochs', values.epochs, p.pretrainEpochs, 1);
    const recipe = {
      ...p,
      pretrainEpochs: epochs,
      frames: intOption('frames', values.frames, p.frames, 10),
      base: intOption('base', values.base, p.base, 1),
      features: intOption('features', values.features, p.features, 2),
      projectorWidth: intOption('width', values.width, p.projectorWidth, 2),
      lambda: floatOption('lambda', values.lambda, p.lambda, { min: 0 }),
      batchSize: intOption('batch', values.batch, p.batchSize, 2),
      lr: floatOption('lr', values.lr, p.lr, { min: 0, exclusiveMin: true }),
      warmupEpochs: Math.min(intOption('warmup', values.warmup, p.warmupEpochs, 0), epochs - 1),
      linearEpochs: intOption('linear-epochs', values['linear-epochs'], p.linearEpochs, 1),
      alignEpochs: intOption('align-epochs', values['align-epochs'], p.alignEpochs, 1),
      finetuneEpochs: intOption('finetune-epochs', values['finetune-epochs'], p.finetuneEpochs, 1),
      semiEpochs: intOption('semi-epochs', values['semi-epochs'], p.semiEpochs, 1),
      distillEpochs: intOption('distill-epochs', values['distill-epochs'], p.distillEpochs, 0),
      seed: intOption('seed', values.seed, p.seed, 0),
    };
    mkdirSync(values.out, { recursive: true });
    const started = performance.now();
    const r = await reproduce({
      sources: {
        ntu60: values.ntu60,
        ntu120: values.ntu120,
        pku: values.pku,
        pku2: values.pku2,
        missing: values.missing,
      },
      out: values.out,
      recipe,
      yes: flags.yes ?? false,
      log: new JsonlLog(join(values.out, 'reproduce.jsonl')),
    });
    if (r.status === 'done')
      console.log(
        `table: ${join(values.out, 'table.md')} (${formatDuration((performance.now() - started) / 1000)} this run)`,
      );
    return 0;
  },
};
