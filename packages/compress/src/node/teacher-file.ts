// The aligned teacher read back from the files `asma pretrain --method asma` and `asma align` write.
import { readSafetensors } from '@asma/autodiff/node';
import { AlignmentModule } from '@asma/trainer';
import { loadCheckpoint, loadStGcn } from '@asma/trainer/node';
import { Rng } from '@asma/util';
import type { AsmaTeacher } from '../teacher.js';

/** Rebuild the teacher from encoder_a / encoder_b .safetensors and alignment.safetensors. */
export function loadTeacher(pathA: string, pathB: string, alignmentPath: string): AsmaTeacher {
  const encoderA = loadStGcn(pathA).model;
  const encoderB = loadStGcn(pathB).model;
  const meta = readSafetensors(alignmentPath).metadata['asma.alignment'];
  if (meta === undefined)
    throw new Error(`${alignmentPath}: no "asma.alignment" metadata; not a module written by asma align`);
  let cfg: { dim: number; classes: number; tokens: number; heads: number };
  try {
    cfg = JSON.parse(meta);
  } catch {
    throw new Error(`${alignmentPath}: metadata "asma.alignment" is not valid JSON`);
  }
  if (cfg.dim !== encoderA.outChannels || cfg.dim !== encoderB.outChannels)
    throw new Error(
      `${alignmentPath}: the module takes ${cfg.dim} features but the encoders give ${encoderA.outChannels} and ${encoderB.outChannels}`,
    );
  const alignment = new AlignmentModule({ rng: new Rng(0), ...cfg });
  loadCheckpoint(alignment, alignmentPath);
  alignment.eval();
  return { encoderA, encoderB, alignment };
}
