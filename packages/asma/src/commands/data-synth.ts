import { ACTION_CLASSES, generateSynthetic, type SyntheticSplit } from '@asma/skeleton';
import { writeSyntheticSplit } from '@asma/skeleton/node';
import { ProgressBar } from '@asma/util/node';
import { intOption, parseOptions } from '../args.js';
import { type Command, UsageError } from '../command.js';

const help = `usage: asma data synth --out <dir> [options]

Generate the synthetic NTU-25 benchmark (physically plausible skeletons, ${ACTION_CLASSES.length} confusable classes,
several subjects and camera viewpoints) and write it in the AimCLR/PSTL layout:
  <out>/<split>/train_position.npy, val_position.npy   (N, 3, T, 25, 2) float32, centred on joint 21
  <out>/<split>/train_label.npy, val_label.npy         (N,) int64
  <out>/<split>/meta.json                              class names, subject and camera of each clip

options:
  --out <dir>         output folder (required)
  --seed <n>          random seed (default 0)
  --per-class <n>     clips per class (default 60)
  --subjects <n>      subjects 1..n (default 10; xsub trains on NTU's training subjects)
  --cameras <n>       cameras 1..n, at most 5 (default 3; xview validates on camera 1)
  --frames <n>        frames per clip (default 50)
  --classes <n>       use the first n classes (default ${ACTION_CLASSES.length})
  --noise <m>         sensor noise in metres (default 0.01)
  --split <s>         xsub, xview or both (default both)`;

export const dataSynthCommand: Command = {
  path: ['data', 'synth'],
  summary: 'generate the synthetic skeleton benchmark as .npy (xsub / xview splits)',
  help,
  async run(args) {
    const { values } = parseOptions(args, [
      'out',
      'seed',
      'per-class',
      'subjects',
      'cameras',
      'frames',
      'classes',
      'noise',
      'split',
    ]);
    if (!values.out) throw new UsageError('--out <dir> is required');
    const splitArg = values.split ?? 'both';
    if (!['xsub', 'xview', 'both'].includes(splitArg))
      throw new UsageError(`--split must be xsub, xview or both, got '${splitArg}'`);
    const splits: SyntheticSplit[] = splitArg === 'both' ? ['xsub', 'xview'] : [splitArg as SyntheticSplit];
    const noise = values.noise === undefined ? 0.01 : Number(values.noise);
    if (!(noise >= 0)) throw new UsageError(`--noise must be a non-negative number, got '${values.noise}'`);
    const options = {
      seed: intOption('seed', values.seed, 0, 0),
      samplesPerClass: intOption('per-class', values['per-class'], 60, 0),
      subjects: intOption('subjects', values.subjects, 10, 0),
      cameras: intOption('cameras', values.cameras, 3, 0),
      frames: intOption('frames', values.frames, 50, 0),
      classes: intOption('classes', values.classes, ACTION_CLASSES.length, 0),
      noise,
    };
    const bar = new ProgressBar(options.samplesPerClass * options.classes, { label: 'synth', unit: 'clips' });
    let ds: ReturnType<typeof generateSynthetic>;
    try {
      let reported = 0; // onProgress gives a running total, the bar wants increments
      ds = generateSynthetic({
        ...options,
        onProgress: (done) => {
          bar.tick(done - reported);
          reported = done;
        },
      });
    } catch (err) {
      if (err instanceof RangeError) throw new UsageError(err.message);
      throw err;
    }
    bar.finish();
    for (const split of splits) {
      const w = writeSyntheticSplit(values.out, ds, split, { options });
      console.log(`${split}: ${w.train} train / ${w.val} val clips -> ${w.dir}`);
    }
    return 0;
  },
};
