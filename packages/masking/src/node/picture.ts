import { NTU25, type SkeletonBatch } from '@asma/skeleton';
import { NpyReader } from '@asma/skeleton/node';
import { Rng } from '@asma/util';
import { writeFileAtomic } from '@asma/util/node';
import { MaskingConfigError } from '../errors.js';
import { type PresetOptions, strategyByName } from '../presets.js';
import { renderMasksSvg } from '../svg.js';
import type { ViewMasks } from '../views.js';

export interface MasksPictureOptions {
  /** (N, 3, T, 25, M) clips .npy, float32 or float64. */
  data: string;
  /** Clip to draw (default 0). */
  index?: number;
  /** Output .svg path. */
  out: string;
  /** 'asma' (default), 'pstl' or 'random'. */
  strategy?: string;
  /** Seed of the mask draw (default 0). */
  seed?: number;
  keyFrames?: number;
  /** Mask counts (draws, motionDrops, randomDrops, selection); the presets' defaults when absent. */
  masking?: Omit<PresetOptions, 'frames' | 'layout'>;
}

/** Read one clip from an .npy file (float32/float64, shape (N, 3, T, 25, M)). */
export function readClip(path: string, index: number): SkeletonBatch {
  const reader = NpyReader.open(path);
  try {
    const shape = reader.shape;
    if (shape.length !== 5 || shape[1] !== 3 || shape[3] !== NTU25.numJoints) {
      throw new MaskingConfigError(
        'data',
        `${path}: expected shape (N, 3, T, 25, M), got (${shape.join(', ')})`,
      );
    }
    if (reader.dtype !== '<f4' && reader.dtype !== '<f8') {
      throw new MaskingConfigError('data', `${path}: expected float32 or float64 data, got ${reader.dtype}`);
    }
    if (!Number.isInteger(index) || index < 0 || index >= reader.rows) {
      throw new MaskingConfigError(
        'index',
        `${index} is outside 0..${reader.rows - 1} (${path} has ${reader.rows} clips)`,
      );
    }
    const data = reader.readRows(index, 1, { asFloat32: true }) as Float32Array;
    return { data, shape: [1, 3, shape[2]!, shape[3]!, shape[4]!] };
  } finally {
    reader.close();
  }
}

/** Draw the masks a strategy samples for one clip of a file and write the SVG atomically. */
export function writeMasksPicture(o: MasksPictureOptions): { views: ViewMasks[]; bytes: number } {
  const index = o.index ?? 0;
  const clip = readClip(o.data, index);
  const strategy = strategyByName(o.strategy ?? 'asma', { ...o.masking, frames: clip.shape[2] });
  const views = strategy.sample(clip, new Rng(o.seed ?? 0));
  const svg = renderMasksSvg(clip, views, {
    title: `${strategy.name} masks: ${o.data.split('/').pop()} clip ${index} (${clip.shape[2]} frames, seed ${o.seed ?? 0})`,
    keyFrames: o.keyFrames,
  });
  writeFileAtomic(o.out, svg);
  return { views, bytes: svg.length };
}
