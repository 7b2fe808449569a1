import { existsSync } from 'node:fs';
import { argmaxRows, confusionMatrix, requireLabels } from '@asma/trainer';
import { choiceOption, intOption, parseOptions, requireOptions } from '../args.js';
import { backendInfo } from '../backend.js';
import { loadEvalModel } from '../classifier.js';
import { type Command, UsageError } from '../command.js';
import { formatScores, scores, writeJson } from '../outputs.js';
import { loadSplit } from '../split.js';
import { requireWritableFile } from '../writable.js';

const help = `usage: asma eval --classifier <file> --data <dir> [options]

Evaluate a classifier on one split of an AimCLR split folder, in eval mode. Any classifier file asma
writes is accepted, told apart by its first bytes: classifier.safetensors (asma finetune|semi),
student.asma / student.safetensors (asma distill), student-pruned.asma (asma prune), and
model-int8.asma (asma quantize; run with its int8 kernels). Prints top-1 (and top-5 with more than
5 classes); class names from the split's meta.json label the --out report.

options:
  --classifier <file>  classifier (.asma float or int8, or classifier .safetensors) (required)
  --data <dir>         split folder (<split>_position.npy, <split>_label.npy) (required)
  --split <s>          val (default) or train
  --batch <n>          clips per forward pass (default 64)
  --out <file.json>    write the scores and the confusion matrix (counts[true][predicted])`;

export const evalCommand: Command = {
  path: ['eval'],
  summary: 'top-1 / top-5 and confusion matrix of a fine-tuned classifier',
  help,
  onDevice: true,
  async run(args) {
    const { values } = parseOptions(args, ['classifier', 'data', 'split', 'batch', 'out']);
    requireOptions(values, ['classifier']);
    requireOptions(values, ['data'], '<dir>');
    if (values.out !== undefined) requireWritableFile('out', values.out);
    if (!existsSync(values.classifier!))
      throw new UsageError(`--classifier: no such file '${values.classifier}'`);
    const split = choiceOption('split', values.split, ['val', 'train'] as const, 'val');
    const batch = intOption('batch', values.batch, 64, 1);
    const data = loadSplit('data', values.data!, split);
    const model = loadEvalModel(values.classifier!, [data]);
    const labels = requireLabels(data);
    const classes = model.classes;
    const bad = labels.findIndex((l) => l >= classes);
    if (bad >= 0)
      throw new Error(
        `${data.labelSource ?? data.source}: clip ${bad} has label ${labels[bad]} but the classifier knows ${classes} classes`,
      );
    const logits = await model.logits(data, batch);
    const s = scores(logits, labels);
    console.log(`${split} (${labels.length} clips, ${classes} classes): ${formatScores(s)}`);
    if (values.out !== undefined) {
      const confusion = confusionMatrix(argmaxRows(logits), labels, classes);
      writeJson(values.out, {
        classifier: values.classifier,
        ...backendInfo(),
        data: values.data,
        split,
        classes,
        ...(data.classNames?.length === classes ? { classNames: data.classNames } : {}),
        kind: model.kind,
        clips: labels.length,
        ...s,
        confusion,
      });
      console.log(`  report: ${values.out}`);
    }
    return 0;
  },
};
