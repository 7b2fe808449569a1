import { readClip, writeMasksPicture } from '@asma/masking/node';
import { intOption, parseOptions, requireExisting, requireOptions } from '../args.js';
import { type Command, UsageError } from '../command.js';
import { maskOptionNames, maskOptions, maskOptionsHelp } from '../mask-options.js';

const help = `usage: asma masks --data <X.npy> --out <masks.svg> [options]

Draw what each masked view of a strategy hides in one clip of an (N, 3, T, 25, M) .npy (float32 or
float64): the per-frame motion energy, one frame strip per view (kept / dropped by motion / dropped
at random) and the skeleton (x/y) in a few key frames with the masked joints in red. The mask
options and their defaults are asma pretrain's (the drops scale with the clip length, as in the
viewer), so the picture shows the masks training draws. Joints are printed 1-based (NTU's
numbering, as the viewer shows them: joint 21 is the spine centre).

options:
  --data <file>        clips .npy (required)
  --out <file>         SVG to write (required)
  --index <i>          clip to draw (default 0)
  --strategy <name>    asma (default: views A and B), pstl or random
  --seed <n>           seed of the mask draw (default 0)
  --key-frames <n>     skeleton panels per view (default 6)
${maskOptionsHelp}`;

export const masksCommand: Command = {
  path: ['masks'],
  summary: 'draw the joints and frames each masking view hides in one clip (SVG)',
  help,
  async run(args) {
    const { values } = parseOptions(args, [
      'data',
      'out',
      'index',
      'strategy',
      'seed',
      'key-frames',
      ...maskOptionNames,
    ]);
    requireOptions(values, ['data', 'out']);
    requireExisting(values, ['data']);
    const strategy = values.strategy ?? 'asma';
    if (!['asma', 'pstl', 'random'].includes(strategy)) {
      throw new UsageError(`--strategy must be asma, pstl or random, got '${strategy}'`);
    }
    const index = intOption('index', values.index, 0, 0);
    const frames = readClip(values.data!, index).shape[2];
    const r = writeMasksPicture({
      data: values.data!,
      out: values.out!,
      index,
      masking: maskOptions(values, frames),
      strategy,
      seed: intOption('seed', values.seed, 0, 0),
      keyFrames: intOption('key-frames', values['key-frames'], 6, 1),
    });
    for (const v of r.views) {
      console.log(
        `${v.name}: joints masked (1-based) [${[...v.spatial[0]!.removed].map((j) => j + 1).join(', ')}], frames kept ${v.temporal.tKeep}/${v.temporal.frames}`,
      );
    }
    console.log(`-> ${values.out}`);
    return 0;
  },
};
