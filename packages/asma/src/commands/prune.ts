import { join } from 'node:path';
import { prune } from '@asma/compress';
import { loadAnyClassifier, saveClassifier, saveClassifierModel } from '@asma/compress/node';
import {
  choiceOption,
  floatOption,
  intOption,
  parseOptions,
  requireExisting,
  requireOptions,
} from '../args.js';
import type { Command } from '../command.js';
import { checkFits } from '../encoders.js';
import { writeJson } from '../outputs.js';
import { loadSplit } from '../split.js';
import { requireWritableDir } from '../writable.js';

const help = `usage: asma prune --model <student.asma> --data <dir> --out <dir> [options]

Prune a classifier (a .asma model or a classifier .safetensors) and fine-tune it (cross-entropy, Adam,
cosine). Methods:
  channel     structured: removes the weakest output channels (L1 norm of the tcn filters) of every
              group of blocks joined by identity residuals and rebuilds a smaller, faster ST-GCN
  magnitude   global unstructured: zeroes the smallest weights (masks kept while fine-tuning); the
              model keeps its size and speed

Writes, under <out>:
  pruned.asma              the pruned classifier (asma eval|quantize|export|view read it)
  pruned.safetensors       the same weights as a classifier .safetensors (PyTorch names, for other tools)
  report.json, log.jsonl   parameters, sparsity, accuracies; per-epoch log
  checkpoint.safetensors   fine-tuning state (for --resume)

options:
  --model <file>      classifier to prune (required)
  --data <dir>        split folder (required)
  --out <dir>         output folder (required)
  --method <m>        channel (default) or magnitude
  --amount <x>        fraction of channels / weights removed, in [0, 1) (default 0.5)
  --epochs <n>        fine-tuning epochs (default 10; 0 for none)
  --lr <x>            Adam learning rate (default 1e-3)
  --batch <n>         clips per batch (default 16)
  --seed <n>          seeds the shuffles (default 0)
  --resume            continue the fine-tuning from <out>/checkpoint.safetensors`;

export const pruneCommand: Command = {
  path: ['prune'],
  summary: 'channel or magnitude pruning of a classifier, then fine-tuning',
  help,
  async run(args) {
    const { values, flags } = parseOptions(
      args,
      ['model', 'data', 'out', 'method', 'amount', 'epochs', 'lr', 'batch', 'seed'],
      false,
      ['resume'],
    );
    requireOptions(values, ['model']);
    requireOptions(values, ['data', 'out'], '<dir>');
    requireWritableDir('out', values.out!);
    requireExisting(values, ['model']);
    const method = choiceOption('method', values.method, ['channel', 'magnitude'] as const, 'channel');
    const amount = floatOption('amount', values.amount, 0.5, { min: 0, max: 0.99 });
    const train = loadSplit('data', values.data!, 'train');
    const val = loadSplit('data', values.data!, 'val');
    const model = loadAnyClassifier(values.model!);
    for (const d of [train, val]) checkFits(model.encoder, values.model!, d);
    const out = values.out!;
    const r = await prune({
      model,
      method,
      amount,
      train,
      val,
      epochs: intOption('epochs', values.epochs, 10, 0),
      lr: floatOption('lr', values.lr, 1e-3, { min: 0, exclusiveMin: true }),
      batchSize: intOption('batch', values.batch, 16, 2),
      seed: intOption('seed', values.seed, 0, 0),
      outDir: out,
      resume: flags.resume,
    });
    const fileBytes = saveClassifierModel(r.model, join(out, 'pruned.asma'));
    saveClassifier(r.model, join(out, 'pruned.safetensors'));
    const { model: _m, masks: _k, ...rest } = r;
    writeJson(join(out, 'report.json'), {
      protocol: 'prune',
      method,
      amount,
      ...rest,
      plan: r.model.encoder.plan,
      fileBytes,
    });
    const pct = (x: number | undefined) => (x === undefined ? '-' : `${(100 * x).toFixed(1)} %`);
    console.log(`prune (${method}, ${pct(amount)})`);
    console.log(
      `  parameters ${r.parametersBefore.toLocaleString('en-US')} -> ${r.parametersAfter.toLocaleString('en-US')}${r.sparsity === null ? '' : `, ${pct(r.sparsity)} of the weights are 0`}`,
    );
    console.log(
      `  val top-1 after pruning ${pct(r.accuracyPruned)}, after fine-tuning ${pct(r.accuracyFinetuned)}`,
    );
    console.log(`  model: ${join(out, 'pruned.asma')} (${fileBytes} bytes)`);
    return 0;
  },
};
