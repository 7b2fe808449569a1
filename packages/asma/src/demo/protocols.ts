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
  type ClipDataset,
  evaluateClassifier,
  finetune,
  moveToHost,
  requireLabels,
  StGcn,
  semiSupervised,
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

/**
 * Fine-tune, semi-supervised and transfer fine-tune scores of every set. Frozen-feature transfer
 * scores come from the caller (they share the linear evaluation's code). Accuracy is taken once,
 * after the last epoch (no per-epoch validation: it would cost more than the training at this size).
 */
export async function finetuneProtocols(
  c: DemoConfig,
  sets: readonly EncoderSet[],
  data: { train: ClipDataset; val: ClipDataset },
  noisy: { train: ClipDataset; val: ClipDataset } | null,
  classes: number,
  log: JsonlLog,
): Promise<ProtocolScore[]> {
  const scores: ProtocolScore[] = [];
  const common = {
    classes,
    epochs: c.finetuneEpochs,
    batchSize: c.batchSize,
    lr: c.finetuneLr,
    seed: c.seed,
    progress: false as const,
  };
  const record = (s: ProtocolScore) => {
    scores.push(s);
    log.write({ event: 'protocol', seed: c.seed, ...s });
  };
  for (const set of sets) {
    const full = await finetune({ ...common, encoder: await copies(set), train: data.train });
    record({
      set: set.name,
      protocol: FINETUNE,
      valAccuracy: await evaluateClassifier(full.model, data.val),
      labelled: data.train.clips.shape[0],
    });
    for (const fraction of c.semiFractions) {
      const semi = await semiSupervised({
        ...common,
        epochs: c.semiEpochs,
        encoder: await copies(set),
        train: data.train,
        fraction,
      });
      record({
        set: set.name,
        protocol: semiProtocol(fraction),
        valAccuracy: await evaluateClassifier(semi.model, data.val),
        labelled: semi.subset.length,
      });
    }
    if (noisy) {
      const t = await finetune({ ...common, encoder: await copies(set), train: noisy.train });
      record({
        set: set.name,
        protocol: TRANSFER_FINETUNE,
        valAccuracy: await evaluateClassifier(t.model, noisy.val),
        labelled: noisy.train.clips.shape[0],
      });
    }
  }
  return scores;
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
