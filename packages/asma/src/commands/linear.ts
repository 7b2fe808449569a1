import { basename, dirname, extname, join } from 'node:path';
import {
  applyStandardizer,
  type ClipDataset,
  classCount,
  encodeWith,
  type LinearProbeResult,
  onHost,
  predictLogits,
  requireLabels,
  type StGcn,
  trainLinearProbe,
} from '@asma/trainer';
import { floatOption, intOption, parseOptions, requireOptions } from '../args.js';
import { backendInfo } from '../backend.js';
import type { Command } from '../command.js';
import { checkpointList, loadEncoder } from '../encoders.js';
import { formatScores, type Scores, scores, writeAccuracyChart, writeJson } from '../outputs.js';
import { loadSplit } from '../split.js';
import { requireWritableFile } from '../writable.js';

const help = `usage: asma linear --checkpoint <enc.safetensors>[,<enc2.safetensors>] --data <dir> [options]

Linear evaluation (PSTL protocol): the encoders are frozen (eval mode), every clip of the train and
val splits is encoded once, and Linear(D, classes) is trained on the training features with Adam
and a cosine learning rate. Several checkpoints are evaluated on their concatenated features (ASMa:
--checkpoint out/encoder_a.safetensors,out/encoder_b.safetensors). Prints train and val top-1 (and
top-5 with more than 5 classes).

Transfer: pretrain on one dataset (asma pretrain --data ntu120/xsub ...) and pass another dataset's
split folder here (--data pku2/xsub); only the linear classifier sees the new labels.

<dir> is a split folder in the AimCLR layout (train_position.npy, train_label.npy, val_position.npy,
val_label.npy), as written by asma data synth|ntu|pku.

options:
  --checkpoint <files>  encoder file(s), comma-separated (required)
  --data <dir>          split folder (required)
  --epochs <n>          epochs (default 150)
  --lr <x>              peak Adam learning rate (default 0.01)
  --batch <n>           feature rows per batch (default 128)
  --seed <n>            seeds the classifier and the shuffles (default 0)
  --standardize         centre and scale each feature by the training statistics first (without
                        it, features of very different scales can leave the probe at chance)
  --prefix <p>          read each encoder from keys starting with p (e.g. 'encoder.' in a
                        classifier.safetensors)
  --out <report.json>   write a JSON report (scores, options, per-epoch history) and, beside it,
                        <report>-accuracy.svg (train and val accuracy per epoch)`;

/**
 * A hint when the probe did not even fit its training features (top-1 within 1.5x chance) and the
 * features were not standardised: unscaled features are the usual cause.
 */
export function chanceHint(trainTop1: number, classes: number, standardized: boolean): string | null {
  if (standardized || classes < 2 || trainTop1 > 1.5 / classes) return null;
  return `hint: train top-1 is at chance (${(100 / classes).toFixed(1)} % for ${classes} classes); the features may need --standardize`;
}

/** Logits of the trained probe on raw features (standardised as in training). */
async function probeScores(
  probe: LinearProbeResult,
  features: Float32Array,
  labels: Int32Array,
): Promise<Scores> {
  const x = probe.standardizer ? applyStandardizer(features, probe.standardizer) : features;
  return scores(await onHost(predictLogits(probe.classifier, x)), labels);
}

export const linearCommand: Command = {
  path: ['linear'],
  summary: 'linear evaluation of frozen encoders (also transfer: encoders pretrained elsewhere)',
  help,
  onDevice: true,
  async run(args) {
    const { values, flags } = parseOptions(
      args,
      ['checkpoint', 'data', 'epochs', 'lr', 'batch', 'seed', 'out', 'prefix'],
      false,
      ['standardize'],
    );
    requireOptions(values, ['checkpoint'], '<enc.safetensors>');
    requireOptions(values, ['data'], '<dir>');
    if (values.out !== undefined) requireWritableFile('out', values.out);
    const paths = checkpointList('checkpoint', values.checkpoint!);
    const epochs = intOption('epochs', values.epochs, 150, 1);
    const lr = floatOption('lr', values.lr, 0.01, { min: 0, exclusiveMin: true });
    const batchSize = intOption('batch', values.batch, 128, 1);
    const seed = intOption('seed', values.seed, 0, 0);
    const train: ClipDataset = loadSplit('data', values.data!, 'train');
    const val: ClipDataset = loadSplit('data', values.data!, 'val');
    const encoders: StGcn[] = paths.map((p) => loadEncoder(p, [train, val], { prefix: values.prefix }));
    const classes = Math.max(classCount(train), classCount(val));
    const tr = await encodeWith(encoders, train);
    const va = await encodeWith(encoders, val);
    // trainLinearProbe rather than linearEvaluation: the features are needed again for top-5.
    const probe = await trainLinearProbe({
      features: tr.features,
      labels: requireLabels(train),
      dim: tr.dim,
      classes,
      epochs,
      lr,
      batchSize,
      seed,
      standardize: flags.standardize,
      val: { features: va.features, labels: requireLabels(val) },
    });
    const result = {
      train: await probeScores(probe, tr.features, requireLabels(train)),
      val: await probeScores(probe, va.features, requireLabels(val)),
    };
    console.log(
      `linear (${paths.length} encoder(s), ${tr.dim} features, ${classes} classes, ${epochs} epochs)`,
    );
    console.log(`  train: ${formatScores(result.train)}`);
    console.log(`  val:   ${formatScores(result.val)}`);
    const hint = chanceHint(result.train.top1, classes, flags.standardize);
    if (hint) console.log(`  ${hint}`);
    if (values.out !== undefined) {
      const out = values.out;
      writeJson(out, {
        protocol: 'linear',
        ...backendInfo(),
        checkpoints: paths,
        data: values.data,
        dim: tr.dim,
        classes,
        trainClips: train.clips.shape[0],
        valClips: val.clips.shape[0],
        options: { epochs, lr, batchSize, seed, standardize: flags.standardize },
        ...result,
        history: probe.history,
      });
      const chart = join(dirname(out), `${basename(out, extname(out))}-accuracy.svg`);
      writeAccuracyChart(
        chart,
        'linear evaluation',
        [
          { name: 'train', points: probe.history.map((h) => [h.epoch, h.trainAcc]) },
          { name: 'val', points: probe.history.map((h) => [h.epoch, h.valAcc ?? Number.NaN]) },
        ],
        classes,
      );
      console.log(`  report: ${out}, accuracy curve: ${chart}`);
    }
    return 0;
  },
};
