import { generateSynthetic } from '@asma/skeleton';
import type { ClipDataset } from '../src/data/dataset.js';
import type { MethodOptions } from '../src/pretrain/methods.js';

/** A small labelled synthetic clip set (fast enough for unit tests). */
export function tinyDataset(
  opts: { perClass?: number; classes?: number; frames?: number; seed?: number } = {},
): ClipDataset {
  const ds = generateSynthetic({
    seed: opts.seed ?? 0,
    samplesPerClass: opts.perClass ?? 4,
    classes: opts.classes ?? 4,
    frames: opts.frames ?? 20,
  });
  return { clips: { data: ds.data, shape: ds.shape }, labels: ds.labels, source: 'synthetic' };
}

/** A two-block encoder and a narrow projector: the whole method in milliseconds per batch. */
export const tinyMethod: MethodOptions = {
  encoder: {
    blocks: [
      { in: 3, out: 4, stride: 1, residual: false },
      { in: 4, out: 8, stride: 2, residual: true },
    ],
  },
  projectorWidth: 16,
  masking: { motionDrops: 3, randomDrops: 3 },
};
