import type { Command } from '../command.js';
import { finetuneOptionsHelp, runFinetune } from '../finetune-run.js';

const help = `usage: asma semi --fraction 0.01|0.1 --checkpoint <enc.safetensors> --data <dir> --out <dir> [options]

Semi-supervised evaluation: fine-tuning (as asma finetune) on a class-balanced subset of the
labelled training clips: max(1, round(fraction * n_c)) clips of every class c, drawn with --seed.
The papers use 1 % and 10 %. Validation uses every val clip.

options:
  --fraction <x>        fraction of each class's training clips, in (0, 1] (required)
${finetuneOptionsHelp}`;

export const semiCommand: Command = {
  path: ['semi'],
  summary: 'semi-supervised fine-tuning on a class-balanced 1 % / 10 % subset',
  help,
  onDevice: true,
  run: (args) => runFinetune(args, true),
};
