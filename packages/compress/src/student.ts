/**
 * Small ST-GCN students for distillation: a short block plan (depth, width), no edge importance by
 * default (each (K, V, V) importance costs 1,875 parameters for NTU-25, more than a narrow block),
 * and helpers to build, count and describe a student classifier.
 */

import { ActionClassifier, StGcn, type StGcnBlockSpec } from '@asma/trainer';
import { Rng } from '@asma/util';

export interface StudentPlanOptions {
  /** Number of ST-GCN blocks (default 4, at least 2). */
  depth?: number;
  /** Channels of the first stage (default 6: 4,804 parameters with 16 classes). */
  width?: number;
  /** Feature size of the last block (default 2 * width). */
  outChannels?: number;
  /** Input channels C (3). */
  inChannels?: number;
}

/**
 * A narrow plan: in->w (no residual), w->w ..., one stride-2 block in the middle doubling the width,
 * then 2w->2w ..., the last block giving `outChannels`.
 */
export function studentPlan(o: StudentPlanOptions = {}): StGcnBlockSpec[] {
  const depth = o.depth ?? 4;
  const w = o.width ?? 6;
  const out = o.outChannels ?? 2 * w;
  const cin = o.inChannels ?? 3;
  if (!Number.isInteger(depth) || depth < 2)
    throw new RangeError(`studentPlan: depth must be an integer >= 2, got ${depth}`);
  if (!Number.isInteger(w) || w < 1)
    throw new RangeError(`studentPlan: width must be a positive integer, got ${w}`);
  if (!Number.isInteger(out) || out < 1)
    throw new RangeError(`studentPlan: outChannels must be a positive integer, got ${out}`);
  const half = Math.floor(depth / 2);
  const plan: StGcnBlockSpec[] = [];
  let prev = cin;
  for (let i = 0; i < depth; i++) {
    const last = i === depth - 1;
    const c = last ? out : i < half ? w : 2 * w;
    plan.push({ in: prev, out: c, stride: i === half ? 2 : 1, residual: i > 0 });
    prev = c;
  }
  return plan;
}

export interface StudentOptions extends StudentPlanOptions {
  /** A custom plan instead of studentPlan(depth, width). */
  blocks?: readonly StGcnBlockSpec[];
  temporalKernel?: number;
  /** Dropout after each block's tcn except the first (default 0: small students underfit, not overfit). */
  dropout?: number;
  /** Learnable edge importance per block (default false: see the file comment). */
  edgeImportance?: boolean;
}

/** A fresh student classifier: StGcn(plan) + Linear(out, classes), seeded by `seed`. */
export function createStudent(
  classes: number,
  o: StudentOptions = {},
  seed: number | Rng = 0,
): ActionClassifier {
  const root = typeof seed === 'number' ? new Rng(seed) : seed;
  const encoder = new StGcn({
    rng: root.fork(),
    blocks: o.blocks ?? studentPlan(o),
    temporalKernel: o.temporalKernel,
    dropout: o.dropout ?? 0,
    edgeImportance: o.edgeImportance ?? false,
  });
  return new ActionClassifier(encoder, classes, root.fork());
}
