import { join } from 'node:path';
import {
  accuracy,
  classCount,
  encodeClips,
  moveToHost,
  predictAlignment,
  requireLabels,
  trainAlignment,
} from '@asma/trainer';
import { saveCheckpoint } from '@asma/trainer/node';
import { floatOption, intOption, parseOptions, requireOptions } from '../args.js';
import { backendInfo } from '../backend.js';
import { type Command, UsageError } from '../command.js';
import { checkpointList, loadEncoder } from '../encoders.js';
import { writeAccuracyChart, writeJson } from '../outputs.js';
import { loadSplit } from '../split.js';
import { requireWritableDir } from '../writable.js';

const help = `usage: asma align --checkpoint-a <enc_a.safetensors> --checkpoint-b <enc_b.safetensors> --data <dir> --out <dir> [options]

Train ASMa's feature alignment module on the frozen features of encoder A and encoder B (from
asma pretrain --method asma: out/encoder_a.safetensors, out/encoder_b.safetensors): each D-vector is
split into --tokens tokens, each encoder's tokens attend to the other's (two multi-head attention
blocks, residual), the 2D fused values are layer-normalised and classified by Linear(2D, classes).
Cross-entropy, AdamW, cosine learning rate. Prints train and val accuracy.

<dir> is a split folder in the AimCLR layout (train/val position and label .npy). Writes, under <out>:
  alignment.safetensors   the module (attn_a.*, attn_b.*, norm.*, classifier.*)
  report.json             accuracies, options, per-epoch history
  accuracy.svg            train and val accuracy per epoch
  log.jsonl               one record per epoch

options:
  --checkpoint-a <file>  encoder A (required)
  --checkpoint-b <file>  encoder B, same feature size as A (required)
  --data <dir>           split folder (required)
  --out <dir>            output folder (required)
  --epochs <n>           epochs (default 50)
  --lr <x>               peak AdamW learning rate (default 1e-3)
  --batch <n>            feature rows per batch (default 128)
  --tokens <n>           tokens per D-vector, must divide D (default 8)
  --heads <n>            attention heads, must divide D / tokens (default 4)
  --seed <n>             seeds the module and the shuffles (default 0)`;

export const alignCommand: Command = {
  path: ['align'],
  summary: "train ASMa's feature alignment module on two frozen encoders (A and B)",
  help,
  onDevice: true,
  async run(args) {
    const { values } = parseOptions(args, [
      'checkpoint-a',
      'checkpoint-b',
      'data',
      'out',
      'epochs',
      'lr',
      'batch',
      'tokens',
      'heads',
      'seed',
    ]);
    requireOptions(values, ['checkpoint-a', 'checkpoint-b'], '<enc.safetensors>');
    requireOptions(values, ['data', 'out'], '<dir>');
    requireWritableDir('out', values.out!);
    const [pathA] = checkpointList('checkpoint-a', values['checkpoint-a']!);
    const [pathB] = checkpointList('checkpoint-b', values['checkpoint-b']!);
    const o = {
      epochs: intOption('epochs', values.epochs, 50, 1),
      lr: floatOption('lr', values.lr, 1e-3, { min: 0, exclusiveMin: true }),
      batchSize: intOption('batch', values.batch, 128, 1),
      tokens: intOption('tokens', values.tokens, 8, 1),
      heads: intOption('heads', values.heads, 4, 1),
      seed: intOption('seed', values.seed, 0, 0),
    };
    const train = loadSplit('data', values.data!, 'train');
    const val = loadSplit('data', values.data!, 'val');
    const a = loadEncoder(pathA!, [train, val]);
    const b = loadEncoder(pathB!, [train, val]);
    const dim = a.outChannels;
    if (b.outChannels !== dim)
      throw new UsageError(
        `encoder A gives ${dim} features but encoder B gives ${b.outChannels}; they must agree`,
      );
    // Checked before encoding every clip: these are option errors, not data errors.
    if (dim % o.tokens !== 0) throw new UsageError(`--tokens ${o.tokens} must divide the ${dim} features`);
    if ((dim / o.tokens) % o.heads !== 0)
      throw new UsageError(
        `--heads ${o.heads} must divide the token size ${dim} / ${o.tokens} = ${dim / o.tokens}`,
      );
    const classes = Math.max(classCount(train), classCount(val));
    const out = values.out!;
    const featuresA = await encodeClips(a, train);
    const featuresB = await encodeClips(b, train);
    const valA = await encodeClips(a, val);
    const valB = await encodeClips(b, val);
    const { module, history } = await trainAlignment({
      featuresA,
      featuresB,
      labels: requireLabels(train),
      valA,
      valB,
      valLabels: requireLabels(val),
      classes,
      ...o,
      logPath: join(out, 'log.jsonl'),
    });
    const trainAcc = accuracy(await predictAlignment(module, featuresA, featuresB), requireLabels(train));
    const valAcc = accuracy(await predictAlignment(module, valA, valB), requireLabels(val));
    await moveToHost(module);
    const weights = join(out, 'alignment.safetensors');
    saveCheckpoint(module, weights, {
      'asma.alignment': JSON.stringify({ dim, classes, tokens: o.tokens, heads: o.heads }),
    });
    writeJson(join(out, 'report.json'), {
      protocol: 'align',
      ...backendInfo(),
      checkpointA: pathA,
      checkpointB: pathB,
      data: values.data,
      dim,
      classes,
      options: o,
      trainAccuracy: trainAcc,
      valAccuracy: valAcc,
      history,
    });
    writeAccuracyChart(
      join(out, 'accuracy.svg'),
      'feature alignment',
      [
        { name: 'train', points: history.map((h) => [h.epoch, h.trainAcc]) },
        { name: 'val', points: history.map((h) => [h.epoch, h.valAcc ?? Number.NaN]) },
      ],
      classes,
    );
    const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
    console.log(`align (${dim} + ${dim} features, ${classes} classes, ${o.epochs} epochs)`);
    console.log(`  train accuracy ${pct(trainAcc)}, val accuracy ${pct(valAcc)}`);
    console.log(`  module: ${weights}, report: ${join(out, 'report.json')}`);
    return 0;
  },
};
