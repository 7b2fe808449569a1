/**
 * The aligned ASMa teacher: frozen encoders A and B and the feature alignment module; logits =
 * alignment(A(x), B(x)). loadTeacher (@asma/compress/node) reads it from the files `asma pretrain
 * --method asma` and `asma align` write.
 */
import type { Tensor } from '@asma/autodiff';
import type { AlignmentModule, StGcn } from '@asma/trainer';
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
