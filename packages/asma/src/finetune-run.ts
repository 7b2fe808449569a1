/** The shared body of `asma finetune` and `asma semi`: options, the library call, the report files. */
import { dirname, join } from 'node:path';
import { classCount, type EpochRecord, finetune, requireLabels, semiSupervised } from '@asma/trainer';
import { floatOption, intOption, parseOptions, requireOptions } from './args.js';
import { backendInfo } from './backend.js';
import { classifierLogits } from './classifier.js';
import { UsageError } from './command.js';
import { checkpointList, loadEncoder } from './encoders.js';
import { formatScores, scores, writeAccuracyChart, writeEpochChart, writeJson } from './outputs.js';
import { loadSplit } from './split.js';
import { requireWritableDir } from './writable.js';

/** The options both commands share, for their help texts. */
export const finetuneOptionsHelp = `  --checkpoint <file>   pretrained encoder (e.g. out/encoder.safetensors or encoder_a) (required)
  --data <dir>          split folder in the AimCLR layout (train/val position and label .npy) (required)
  --out <dir>           output folder (required)
  --epochs <n>          epochs (default 150)
  --lr <x>              peak Adam learning rate, cosine to 0 (default 5e-3)
  --batch <n>           clips per batch (default 128, at most the training clips)
  --weight-decay <x>    Adam weight decay (default 0)
  --seed <n>            seeds the classifier, shuffles, dropout and augmentation (default 0)
  --prefix <p>          read the encoder from keys starting with p (e.g. 'encoder.')
  --augment             PSTL's augmentation of the training clips
  --resume              continue from <out>/checkpoint.safetensors (same options required)

writes, under <out>: classifier.safetensors (encoder.* + fc.*, for asma eval), checkpoint.safetensors
(every epoch), log.jsonl, accuracy.svg (val accuracy in % per epoch, with the chance line), loss.svg
(training loss per epoch), report.json.`;

const names = ['checkpoint', 'data', 'out', 'epochs', 'lr', 'batch', 'weight-decay', 'seed', 'prefix'];

/** Run fine-tuning; with `semi`, on a class-balanced --fraction of the training clips. */
export async function runFinetune(args: string[], semi: boolean): Promise<number> {
  const protocol = semi ? 'semi' : 'finetune';
  const { values, flags } = parseOptions(args, semi ? [...names, 'fraction'] : names, false, [
    'augment',
    'resume',
  ]);
  requireOptions(values, ['checkpoint'], '<enc.safetensors>');
  requireOptions(values, ['data', 'out'], '<dir>');
  requireWritableDir('out', values.out!);
  if (semi && values.fraction === undefined) throw new UsageError('--fraction <x> in (0, 1] is required');
  const fraction = floatOption('fraction', values.fraction, 1, { min: 0, exclusiveMin: true, max: 1 });
  if (values.checkpoint!.includes(',')) throw new UsageError('--checkpoint takes one encoder file here');
  const [path] = checkpointList('checkpoint', values.checkpoint!);
  const o = {
    epochs: intOption('epochs', values.epochs, 150, 1),
    lr: floatOption('lr', values.lr, 5e-3, { min: 0, exclusiveMin: true }),
    batchSize: intOption('batch', values.batch, 128, 2),
    weightDecay: floatOption('weight-decay', values['weight-decay'], 0, { min: 0 }),
    seed: intOption('seed', values.seed, 0, 0),
  };
  const train = loadSplit('data', values.data!, 'train');
  const val = loadSplit('data', values.data!, 'val');
  const encoder = loadEncoder(path!, [train, val], { seed: o.seed, prefix: values.prefix });
  const classes = Math.max(classCount(train), classCount(val));
  const out = values.out!;
  const common = {
    encoder,
    train,
    val,
    classes,
    ...o,
    augment: flags.augment ? {} : (false as const),
    outDir: out,
    resume: flags.resume,
    progress: protocol,
  };
  const picked = semi ? await semiSupervised({ ...common, fraction }) : null;
  const result = picked ?? (await finetune(common));
  const trainClips = picked ? picked.subset.length : train.clips.shape[0];
  const valScores = scores(await classifierLogits(result.model, val), requireLabels(val));
  writeCurves(join(out, 'accuracy.svg'), protocol, result.history, classes);
  writeJson(join(out, 'report.json'), {
    protocol,
    ...backendInfo(),
    checkpoint: path,
    data: values.data,
    ...(semi ? { fraction } : {}),
    classes,
    trainClips,
    valClips: val.clips.shape[0],
    options: { ...o, augment: flags.augment },
    val: valScores,
    history: result.history.map((h) => ({
      epoch: h.epoch,
      lr: h.lr,
      loss: h.loss,
      valAccuracy: h.metrics.valAccuracy,
    })),
  });
  const ran = result.history.length;
  console.log(`${protocol}: ${trainClips} training clips, ${classes} classes, ${ran} epoch(s) in all`);
  console.log(`  val: ${formatScores(valScores)}`);
  console.log(`  classifier: ${join(out, 'classifier.safetensors')}`);
  console.log(
    `  report: ${join(out, 'report.json')}, curves: ${join(out, 'accuracy.svg')}, ${join(out, 'loss.svg')}, log: ${join(out, 'log.jsonl')}`,
  );
  return 0;
}

/** Accuracy (%) and loss on separate charts: one axis for both put one of them flat. */
function writeCurves(path: string, protocol: string, history: readonly EpochRecord[], classes: number): void {
  writeAccuracyChart(
    path,
    `${protocol}: val accuracy`,
    [{ name: 'val', points: history.map((h) => [h.epoch, h.metrics.valAccuracy ?? Number.NaN]) }],
    classes,
  );
  writeEpochChart(join(dirname(path), 'loss.svg'), `${protocol}: training loss`, 'cross-entropy', [
    { name: 'training loss', points: history.map((h) => [h.epoch, h.loss]) },
  ]);
}
