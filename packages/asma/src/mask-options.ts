/** The mask-count options `asma pretrain` and `asma masks` share: one parser, one set of defaults. */
import { scaledDropCounts } from '@asma/masking';
import { choiceOption, intOption } from './args.js';
import { UsageError } from './command.js';

export const maskOptionNames = ['draws', 'motion-drops', 'random-drops', 'selection'] as const;

export const maskOptionsHelp = `  --draws <n>            multiset draws of the spatial masks (default 8)
  --motion-drops <n>     frames dropped by motion (default 20 % of the clip's frames: 10 of 50)
  --random-drops <n>     frames dropped at random afterwards (default as --motion-drops)
  --selection <s>        topk (default) or sampled (motion-weighted) frame selection`;

export interface MaskCounts {
  draws: number;
  motionDrops: number;
  randomDrops: number;
  selection: 'topk' | 'sampled';
}

/** The mask counts for clips of `frames` frames; with `check`, the drops must leave at least one frame. */
export function maskOptions(
  values: Record<string, string | undefined>,
  frames: number,
  check = true,
): MaskCounts {
  const scaled = scaledDropCounts(frames);
  const o: MaskCounts = {
    draws: intOption('draws', values.draws, 8, 0),
    motionDrops: intOption('motion-drops', values['motion-drops'], scaled.motionDrops, 0),
    randomDrops: intOption('random-drops', values['random-drops'], scaled.randomDrops, 0),
    selection: choiceOption('selection', values.selection, ['topk', 'sampled'] as const, 'topk'),
  };
  if (check && o.motionDrops + o.randomDrops >= frames)
    throw new UsageError(
      `--motion-drops + --random-drops (${o.motionDrops} + ${o.randomDrops}) must be below the ${frames} frames of the clips`,
    );
  return o;
}
