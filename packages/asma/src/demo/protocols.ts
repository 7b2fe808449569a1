/**
 * The paper's protocols beyond linear evaluation, for every encoder set of a demo seed: fine-tuning,
 * semi-supervised fine-tuning on class-balanced label fractions, and transfer to a noisy variant of
 * the benchmark (PKU-MMD II-like: occlusion, jitter, lost joints) with frozen features and with
 * fine-tuning; and the distillation study (student against teacher for several alphas). Every trained
 * model starts from a copy of the set's encoders, so the protocols do not see each other's training.
 */
import { type AsmaTeacher, distill, teacherFn, teacherLogits } from '@asma/compress';
import { type CorruptionOptions, corruptClips } from '@asma/skeleton';
import {
  type AlignmentModule,
  type ClipDataset,
  classBalancedSubset,
  clipCount,
  evaluateClassifier,
  finetune,
  moveToHost,
  requireLabels,
  StGcn,
  semiSupervised,
  trainAlignment,
} from '@asma/trainer';
import { Rng } from '@asma/util';
import type { JsonlLog } from '@asma/util/node';
import type { DemoConfig } from './config.js';

export interface EncoderSet {
  name: string;
  encoders: StGcn[];
}

/** One protocol's val top-1 for one encoder set. */
export interface ProtocolScore {
  set: string;
  protocol: string;
  valAccuracy: number;
  /** Labelled training clips the protocol saw. */
  labelled: number;
}

export interface DistillationScore {
  alpha: number;
  valAccuracy: number;
  teacherAccuracy: number;
}

/** Protocol ids in report order; the semi-supervised ones are named by their fraction. */
export const FINETUNE = 'fine-tune';
export const TRANSFER_LINEAR = 'transfer, linear';
export const TRANSFER_KNN = 'transfer, kNN';
export const TRANSFER_FINETUNE = 'transfer, fine-tune';
export const semiProtocol = (fraction: number): string => `semi ${Number((100 * fraction).toPrecision(3))} %`;

/** A fresh copy of a trained encoder (same architecture, same weights), for a protocol to train. */
async function copyEncoder(e: StGcn): Promise<StGcn> {
  await moveToHost(e);
  const copy = new StGcn({ blocks: e.plan, temporalKernel: e.temporalKernel, rng: new Rng(0) });
  copy.loadStateDict(e.stateDict());
  return copy;
}

async function copies(set: EncoderSet): Promise<StGcn | [StGcn, StGcn]> {
  if (set.encoders.length === 1) return copyEncoder(set.encoders[0]!);
  if (set.encoders.length === 2)
    return [await copyEncoder(set.encoders[0]!), await copyEncoder(set.encoders[1]!)];
  throw new RangeError(
    `demo protocols: a set has one or two encoders, '${set.name}' has ${set.encoders.length}`,
  );
}

/** The noisy variant of both halves of the split (its own seeded stream, the same for every method). */
export function noisySplit(
  c: DemoConfig,
  data: { train: ClipDataset; val: ClipDataset },
  noise: CorruptionOptions,
): { train: ClipDataset; val: ClipDataset } {
  const rng = new Rng(c.seed).fork().fork();
  const noisy = (d: ClipDataset): ClipDataset => ({
    ...d,
    clips: corruptClips(d.clips, rng, noise),
    source: `${d.source} (noisy variant)`,
  });
  return { train: noisy(data.train), val: noisy(data.val) };
}

/** A labelled split and its class count: the benchmark's, or a transfer target's. */
export interface LabelledSplit {
  train: ClipDataset;
  val: ClipDataset;
  classes: number;
}

/**
 * Fine-tune a copy of the set's encoders (on a class-balanced `fraction` of the training clips when
 * given) and return val top-1, taken once after the last epoch (per-epoch validation would cost more
 * than the training at the demo's size). With `outDir`, the run checkpoints every epoch and resumes.
 */
export async function finetuneScore(
  c: DemoConfig,
  set: EncoderSet,
  split: LabelledSplit,
  o: { fraction?: number; outDir?: string } = {},
): Promise<{ valAccuracy: number; labelled: number }> {
  const common = {
    classes: split.classes,
    epochs: o.fraction === undefined ? c.finetuneEpochs : c.semiEpochs,
    batchSize: c.finetuneBatch,
    lr: c.finetuneLr,
    seed: c.seed,
    progress: false as const,
    encoder: await copies(set),
    train: split.train,
    ...(o.outDir === undefined ? {} : { outDir: o.outDir, resume: true }),
  };
  if (o.fraction === undefined) {
    const r = await finetune(common);
    return { valAccuracy: await evaluateClassifier(r.model, split.val), labelled: clipCount(split.train) };
  }
  const r = await semiSupervised({ ...common, fraction: o.fraction });
  return { valAccuracy: await evaluateClassifier(r.model, split.val), labelled: r.subset.length };
}

/**
 * Fine-tune, semi-supervised and (with a target) transfer fine-tune scores of every set. Fractions that
 * keep the same clips (at the demo's size 1 % and 10 % both keep one clip per class) are one run.
 */
export async function finetuneProtocols(
  c: DemoConfig,
  sets: readonly EncoderSet[],
  split: LabelledSplit,
  transfer: LabelledSplit | null,
  log: JsonlLog,
): Promise<ProtocolScore[]> {
  const scores: ProtocolScore[] = [];
  const record = (set: EncoderSet, protocol: string, s: { valAccuracy: number; labelled: number }) => {
    const score = { set: set.name, protocol, ...s };
    scores.push(score);
    log.write({ event: 'protocol', seed: c.seed, ...score });
  };
  // The subset semiSupervised draws for each fraction (the same seeded stream).
  const labels = requireLabels(split.train);
  const subsetKey = (f: number) => classBalancedSubset(labels, f, new Rng(c.seed).fork()).join(',');
  for (const set of sets) {
    record(set, FINETUNE, await finetuneScore(c, set, split));
    const done = new Map<string, { valAccuracy: number; labelled: number }>();
    for (const fraction of c.semiFractions) {
      const key = subsetKey(fraction);
      const s = done.get(key) ?? (await finetuneScore(c, set, split, { fraction }));
      done.set(key, s);
      record(set, semiProtocol(fraction), s);
    }
    if (transfer) record(set, TRANSFER_FINETUNE, await finetuneScore(c, set, transfer));
  }
  return scores;
}

/** The alignment module on the frozen (raw) features of ASMa's two encoders; it standardises them itself. */
export async function alignFeatures(
  c: DemoConfig,
  train: { a: Float32Array; b: Float32Array },
  labels: Int32Array,
  classes: number,
): Promise<AlignmentModule> {
  const { module } = await trainAlignment({
    featuresA: train.a,
    featuresB: train.b,
    labels,
    classes,
    epochs: c.alignEpochs,
    batchSize: c.batchSize,
    lr: 3e-3,
    seed: c.seed,
    tokens: alignmentTokens(c.features),
    heads: 2,
  });
  return module;
}

/** Tokens of D/4 features each (at least 2 tokens, at most 8). */
function alignmentTokens(d: number): number {
  for (const t of [8, 4, 2]) if (d % t === 0 && d / t >= 2) return t;
  return 1;
}

/**
 * Students distilled from the aligned teacher at each alpha (alpha 1: labels only, no teacher; 0: the
 * teacher's soft targets only), with the recipe of the compression report.
 */
export async function distillationStudy(
  c: DemoConfig,
  teacher: AsmaTeacher,
  data: { train: ClipDataset; val: ClipDataset },
  classes: number,
  teacherAccuracy: number,
  log: JsonlLog,
): Promise<DistillationScore[]> {
  const soft = await teacherLogits(teacherFn(teacher), data.train);
  const out: DistillationScore[] = [];
  requireLabels(data.val);
  for (const alpha of c.distillAlphas) {
    const d = await distill({
      teacher: soft,
      train: data.train,
      classes,
      student: { depth: 4, width: 6 },
      epochs: c.distillEpochs,
      lr: 1e-2,
      batchSize: 16,
      alpha,
      seed: c.seed,
      progress: false,
    });
    const s = { alpha, valAccuracy: await evaluateClassifier(d.model, data.val), teacherAccuracy };
    out.push(s);
    log.write({ event: 'distillation', seed: c.seed, ...s });
  }
  return out;
}
