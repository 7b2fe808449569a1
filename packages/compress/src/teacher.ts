/**
 * The aligned ASMa teacher: frozen encoders A and B and the feature alignment module; logits =
 * alignment(A(x), B(x)). Loaded from the files `asma pretrain --method asma` and `asma align` write.
 */
import { readSafetensors, type Tensor } from '@asma/autodiff';
import { AlignmentModule, loadCheckpoint, loadStGcn, type StGcn } from '@asma/trainer';
import { Rng } from '@asma/util';
import type { TeacherFn } from './distill.js';

export interface AsmaTeacher {
  encoderA: StGcn;
  encoderB: StGcn;
  alignment: AlignmentModule;
}

/** Eval-mode teacher logits as a function of a clip batch. */
export function teacherFn(t: AsmaTeacher): TeacherFn {
  t.encoderA.eval();
  t.encoderB.eval();
  t.alignment.eval();
  return (x: Tensor) => t.alignment.forward(t.encoderA.forward(x), t.encoderB.forward(x));
}

/** Parameters of the whole teacher: both encoders and the alignment module. */
export function teacherParameters(t: AsmaTeacher): number {
  return t.encoderA.numParameters() + t.encoderB.numParameters() + t.alignment.numParameters();
}

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
