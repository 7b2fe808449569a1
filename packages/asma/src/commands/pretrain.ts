import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  BARLOW_TWINS_LAMBDA,
  type ClipDataset,
  collapseWarning,
  type EpochRecord,
  METHOD_NAMES,
  pretrain,
} from '@asma/trainer';
import { loadDataset } from '@asma/trainer/node';
import { choiceOption, floatOption, intOption, parseOptions } from '../args.js';
import { describeActive } from '../backend.js';
import { type Command, UsageError } from '../command.js';
import { maskOptionNames, maskOptions, maskOptionsHelp } from '../mask-options.js';
import { writeEpochChart } from '../outputs.js';
import { loadSplit } from '../split.js';
import { requireWritableDir } from '../writable.js';

const help = `usage: asma pretrain --data <dir> --method asma|pstl|random|barlow-twins --out <dir> [options]

Self-supervised pretraining of ST-GCN encoders on the unlabelled training clips, with PSTL's recipe
(Adam, linear warm-up then cosine to 0, lr set once per epoch). Methods:
  asma          two encoders, one per asymmetric masked view (A: high-degree joints + low-motion
                frames hidden; B: low-degree joints + high-motion frames hidden)
  pstl          one encoder, PSTL's masks (high-degree joints + high-motion frames)
  random        one encoder, degree- and motion-blind random masks (a control)
  barlow-twins  one encoder, two augmented views, no masking

<dir> is a split folder in the AimCLR layout (train_position.npy, ...; written by asma data
synth|ntu|pku); only train_position.npy is read. Writes, under <out>:
  checkpoint.safetensors   training state after every epoch (for --resume)
  encoder.safetensors      the encoder (asma: encoder_a.safetensors and encoder_b.safetensors),
                           PyTorch names; use with asma linear|finetune|semi|align|embed
  log.jsonl                one record per epoch (loss, named loss terms, lr, speed)
  loss.svg                 loss per epoch: the total and each named term

options:
  --data <dir>           split folder (this or --train-data is required)
  --train-data <file>    clips .npy (N, 3, T, 25, M) instead of a split folder
  --method <m>           asma, pstl, random or barlow-twins (required)
  --out <dir>            output folder (required)
  --epochs <n>           epochs (default 150)
  --batch <n>            clips per batch (default 128; the last incomplete batch is dropped)
  --lr <x>               peak Adam learning rate (default 5e-3)
  --weight-decay <x>     Adam weight decay (default 1e-5)
  --warmup <n>           linear warm-up epochs (default 10, at most epochs - 1)
  --seed <n>             seeds weights, shuffles, augmentation and masks (default 0)
  --base <n>             ST-GCN base width (default 16: ST-GCN-16)
  --features <n>         encoder output features (default 256)
  --width <n>            Barlow Twins projector width (default 6144)
  --lambda <x>           Barlow Twins off-diagonal weight (default 2e-4, the paper's at width 6144; the
                         terms balance as lambda * width: keep it about 1.2 at other widths)
${maskOptionsHelp}
  --mask <m>             remove (default: joints dropped, frames gathered out) or zero
  --resume               continue from <out>/checkpoint.safetensors (same options required);
                         after a finished run nothing more is trained`;

const names = [
  'data',
  'train-data',
  'method',
  'out',
  'epochs',
  'batch',
  'lr',
  'weight-decay',
  'warmup',
  'seed',
  'base',
  'features',
  'width',
  'lambda',
  ...maskOptionNames,
  'mask',
];

function trainingClips(values: Record<string, string | undefined>): ClipDataset {
  if (values.data !== undefined && values['train-data'] !== undefined)
    throw new UsageError('give --data <dir> or --train-data <file.npy>, not both');
  if (values['train-data'] !== undefined) {
    if (!existsSync(values['train-data']))
      throw new UsageError(`--train-data: no such file '${values['train-data']}'`);
    return loadDataset(values['train-data']);
  }
  if (values.data === undefined)
    throw new UsageError('--data <dir> (or --train-data <file.npy>) is required');
  return loadSplit('data', values.data, 'train', false);
}

/**
 * The command builds NTU-25 encoders, masks and augmentations (flips swap NTU's left and right
 * joints): other joint counts fail here, with the shape, rather than deep inside an augmentation.
 */
function checkNtuLayout(data: ClipDataset): void {
  const [, c, , v, m] = data.clips.shape;
  if (v !== 25 || c !== 3)
    throw new UsageError(
      `${data.source}: clips of shape (N, ${c}, T, ${v}, ${m}) have ${v} joints x ${c} channels; asma pretrain uses the NTU-25 layout (N, 3, T, 25, M). Other layouts (e.g. COCO-17) need the library: pretrain() with methodOptions.masking.layout and an augmentation for that layout`,
    );
}

/** One series per named loss term, plus the total. */
function lossSeries(history: readonly EpochRecord[]) {
  // The loss terms; the diagnostics (off-diagonal sum, redundancy) live on other scales, in the log.
  const diagnostics = new Set(['off-diagonal', 'redundancy']);
  const terms = [...new Set(history.flatMap((h) => Object.keys(h.parts)))].filter((t) => !diagnostics.has(t));
  return [
    { name: 'total', points: history.map((h) => [h.epoch, h.loss] as [number, number]) },
    ...terms.map((t) => ({
      name: t,
      points: history.map((h) => [h.epoch, h.parts[t] ?? Number.NaN] as [number, number]),
    })),
  ];
}

export const pretrainCommand: Command = {
  path: ['pretrain'],
  summary: 'self-supervised pretraining (asma, pstl, random masks, barlow-twins) of ST-GCN encoders',
  help,
  onDevice: true,
  async run(args) {
    const { values, flags } = parseOptions(args, names, false, ['resume']);
    if (values.method === undefined) throw new UsageError(`--method ${METHOD_NAMES.join('|')} is required`);
    const method = choiceOption('method', values.method, METHOD_NAMES, 'asma');
    if (values.out === undefined) throw new UsageError('--out <dir> is required');
    requireWritableDir('out', values.out);
    const options = {
      epochs: intOption('epochs', values.epochs, 150, 1),
      batchSize: intOption('batch', values.batch, 128, 2),
      lr: floatOption('lr', values.lr, 5e-3, { min: 0, exclusiveMin: true }),
      weightDecay: floatOption('weight-decay', values['weight-decay'], 1e-5, { min: 0 }),
      warmupEpochs: intOption('warmup', values.warmup, 10, 0),
      seed: intOption('seed', values.seed, 0, 0),
    };
    const encoder = {
      baseChannels: intOption('base', values.base, 16, 1),
      outChannels: intOption('features', values.features, 256, 1),
    };
    const projectorWidth = intOption('width', values.width, 6144, 1);
    const lambda = floatOption('lambda', values.lambda, BARLOW_TWINS_LAMBDA, { min: 0 });
    const maskOutput = choiceOption('mask', values.mask, ['remove', 'zero'] as const, 'remove');
    const data = trainingClips(values);
    checkNtuLayout(data);
    const frames = data.clips.shape[2];
    const masking = maskOptions(values, frames, method !== 'barlow-twins'); // Barlow Twins masks nothing

    const out = values.out;
    const result = await pretrain({
      method,
      data,
      ...options,
      // frames lets the samplers check their counts up front. Given to the masking, not the encoder:
      // an encoder built with `frames` rejects the shorter temporal stream of mask 'remove'.
      methodOptions: { encoder, projectorWidth, lambda, masking: { ...masking, frames }, maskOutput },
      outDir: out,
      resume: flags.resume,
    });
    const epochs = result.history.length - result.startEpoch;
    const chart = join(out, 'loss.svg');
    writeEpochChart(chart, `pretrain ${method}`, 'loss', lossSeries(result.history));
    const last = result.history.at(-1);
    console.log(
      `${method}: ${epochs} epoch(s) trained${result.startEpoch > 0 ? ` after resuming at epoch ${result.startEpoch}` : ''}` +
        (last ? `, final loss ${last.loss.toPrecision(4)}` : ''),
    );
    const collapse = collapseWarning(result.history, { lambda, projectorWidth });
    if (collapse !== null) console.error(collapse);
    for (const [name, path] of Object.entries(result.encoderFiles)) console.log(`  ${name}: ${path}`);
    console.log(`  checkpoint: ${join(out, 'checkpoint.safetensors')}`);
    console.log(`  backend: ${describeActive()}`);
    console.log(`  log: ${join(out, 'log.jsonl')}`);
    console.log(`  loss curve: ${chart}`);
    return 0;
  },
};
