import type { Command } from '../command.js';
import { finetuneOptionsHelp, runFinetune } from '../finetune-run.js';

const help = `usage: asma finetune --checkpoint <enc.safetensors> --data <dir> --out <dir> [options]

Fine-tuning (PSTL protocol): the pretrained encoder plus Linear(D, classes), all trainable, with
cross-entropy, Adam and a cosine learning rate; val accuracy after every epoch. Transfer: pass an
encoder pretrained on another dataset. Prints val top-1 (and top-5 with more than 5 classes).

options:
${finetuneOptionsHelp}`;

export const finetuneCommand: Command = {
  path: ['finetune'],
  summary: 'fine-tune a pretrained encoder with a linear classifier on labelled clips',
  help,
  onDevice: true,
  run: (args) => runFinetune(args, false),
};
