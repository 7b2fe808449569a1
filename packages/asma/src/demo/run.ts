/**
 * One seed of the demo: synthetic data -> pretrain each method -> linear evaluation of every encoder
 * set on frozen features -> the alignment module on ASMa's two encoders -> (first seed) distillation of the
 * aligned teacher into a small student, int8 and ONNX export. Returns plain numbers for the report; every file (data, checkpoints, logs) goes under `outDir`.
 */
import { join } from 'node:path';
import { type CompressionReport, compressionTable } from '@asma/compress';
import { compressionReport } from '@asma/compress/node';
import { generateSynthetic } from '@asma/skeleton';
import { writeSyntheticSplit } from '@asma/skeleton/node';
import {
  accuracy,
  type ClipDataset,
  classCount,
  type EpochRecord,
  embeddingDiagnostics,
  encodeClips,
  joinFeatures,
  knnEvaluate,
  predictAlignment,
  pretrain,
  requireLabels,
  StGcn,
  trainLinearProbe,
} from '@asma/trainer';
import { Rng } from '@asma/util';
import type { JsonlLog } from '@asma/util/node';
import { loadSplit } from '../split.js';
import { type DemoConfig, frameDrops } from './config.js';
import {
  alignFeatures,
  type DistillationScore,
  distillationStudy,
  type EncoderSet,
  finetuneProtocols,
  noisySplit,
  type ProtocolScore,
  TRANSFER_KNN,
  TRANSFER_LINEAR,
} from './protocols.js';

export interface EvaluatedSet {
  name: string;
  /** Encoder parameters behind the features (both encoders for ASMa A+B). */
  parameters: number;
  trainAccuracy: number;
  valAccuracy: number;
  /** kNN top-1 on the frozen features (k 20, cosine); absent for the alignment module, which is trained. */
  knnAccuracy?: number;
  /** Effective rank of the validation features (1: collapsed onto one direction; at most D). */
  effectiveRank?: number;
  /** The same of the standardised features (what the linear probe sees): low with a high effectiveRank means a few loud dimensions, not collapse. */
  correlationRank?: number;
  /** Share of the validation features' variance along their top direction. */
  topShare?: number;
}

export interface PretrainRun {
  method: string;
  seconds: number;
  history: EpochRecord[];
}

export interface DemoSeedResult {
  seed: number;
  trainClips: number;
  valClips: number;
  classes: number;
  pretraining: PretrainRun[];
  evaluations: EvaluatedSet[];
  /** Fine-tune, semi-supervised and transfer scores of every encoder set (linear and kNN are in `evaluations`). */
  protocols: ProtocolScore[];
  /** Students distilled from the aligned teacher at each of the config's alphas. */
  distillation: DistillationScore[];
  /** Distillation, int8 and export of the aligned ASMa teacher (first seed only). */
  compression?: CompressionReport;
  seconds: number;
}

export interface DemoSplit {
  train: ClipDataset;
  val: ClipDataset;
}

/** Generate the synthetic benchmark (xsub split) into `dir` and read it back like any dataset. */
export function prepareData(c: DemoConfig, dir: string): DemoSplit {
  const ds = generateSynthetic({
    seed: c.seed,
    samplesPerClass: c.perClass,
    frames: c.frames,
    cameras: c.cameras,
  });
  const { dir: split } = writeSyntheticSplit(dir, ds, 'xsub', {
    options: { seed: c.seed, perClass: c.perClass, cameras: c.cameras },
  });
  return { train: loadSplit('out', split, 'train'), val: loadSplit('out', split, 'val') };
}

export function methodOptions(c: DemoConfig) {
  const drops = frameDrops(c.frames);
  return {
    encoder: { baseChannels: c.base, outChannels: c.features },
    projectorWidth: c.projectorWidth,
    lambda: c.lambda,
    masking: { motionDrops: drops, randomDrops: drops },
  };
}

/** One method's pretraining with the demo's recipe; with `outDir`, a finished run resumes from its checkpoint. */
export function pretrainMethod(
  c: DemoConfig,
  method: string,
  train: ClipDataset,
  outDir?: string,
  progress = false,
  onEpoch?: (record: EpochRecord) => void,
): ReturnType<typeof pretrain> {
  return pretrain({
    method,
    data: train,
    seed: c.seed,
    epochs: c.pretrainEpochs,
    batchSize: c.batchSize,
    lr: c.lr,
    warmupEpochs: c.warmupEpochs,
    methodOptions: methodOptions(c),
    ...(outDir === undefined ? {} : { outDir, resume: true }),
    progress,
    onEpoch,
  });
}

/** Frozen features of the training and validation clips, with their labels. */
export interface LabelledFeatures {
  features: Float32Array;
  dim: number;
  labels: Int32Array;
}

/** Every frozen-feature score of the report: the linear probe, kNN and the collapse diagnostics. */
export async function scoreFeatures(
  c: DemoConfig,
  classes: number,
  train: LabelledFeatures,
  val: LabelledFeatures,
): Promise<Omit<EvaluatedSet, 'name' | 'parameters'>> {
  const probe = await trainLinearProbe({
    features: train.features,
    labels: train.labels,
    dim: train.dim,
    classes,
    epochs: c.linearEpochs,
    batchSize: c.batchSize,
    lr: 0.01,
    seed: c.seed,
    standardize: true,
    val: { features: val.features, labels: val.labels },
  });
  const knn = knnEvaluate({ train, val, dim: train.dim, classes });
  // The diagnostics need two clips or more (a real split's validation part always has them).
  const shape =
    val.labels.length >= 2 ? embeddingDiagnostics(val.features, val.labels.length, val.dim) : null;
  return {
    trainAccuracy: probe.trainAcc,
    valAccuracy: probe.valAcc!,
    knnAccuracy: knn.accuracy,
    ...(shape && {
      effectiveRank: shape.effectiveRank,
      correlationRank: shape.correlationRank,
      topShare: shape.topShare,
    }),
  };
}

/** Eval-mode features of a split, each encoder encoded once; a set of encoders concatenates them. */
function frozenFeatures(split: DemoSplit) {
  const cache = new Map<StGcn, { train: Float32Array; val: Float32Array }>();
  const of = async (e: StGcn) => {
    let f = cache.get(e);
    if (f === undefined) {
      f = { train: await encodeClips(e, split.train), val: await encodeClips(e, split.val) };
      cache.set(e, f);
    }
    return f;
  };
  const set = async (encoders: readonly StGcn[], part: 'train' | 'val') => {
    const parts: { features: Float32Array; dim: number }[] = [];
    for (const e of encoders) parts.push({ features: (await of(e))[part], dim: e.outChannels });
    return joinFeatures(parts);
  };
  return { of, set };
}

/** The untrained baseline with a two-encoder method's parameters and feature width. */
export const UNTRAINED_PAIR = 'no pretraining, two encoders (random init)';

export async function runDemoSeed(
  c: DemoConfig,
  outDir: string,
  data: DemoSplit,
  log: JsonlLog,
  progress = true,
  compress = true,
): Promise<DemoSeedResult> {
  const started = performance.now();
  const classes = Math.max(classCount(data.train), classCount(data.val));
  const sets: EncoderSet[] = [];
  const pretraining: PretrainRun[] = [];
  for (const method of c.methods) {
    const t0 = performance.now();
    const { method: trained, history } = await pretrainMethod(
      c,
      method,
      data.train,
      join(outDir, method),
      progress,
    );
    const encoders = trained.encoders.map((e) => e.encoder);
    // Training time from the per-epoch records, so a resumed (already finished) run reports the
    // time its epochs took rather than the seconds spent reloading them.
    const seconds = history.reduce((a, h) => a + h.seconds, 0);
    pretraining.push({ method, seconds, history });
    log.write({
      event: 'pretrained',
      seed: c.seed,
      method,
      seconds,
      wallSeconds: (performance.now() - t0) / 1000,
    });
    if (encoders.length === 2) {
      sets.push({ name: `${label(method)} (A+B)`, encoders });
      sets.push({ name: `${label(method)} encoder A`, encoders: [encoders[0]!] });
      sets.push({ name: `${label(method)} encoder B`, encoders: [encoders[1]!] });
    } else sets.push({ name: label(method), encoders });
  }
  const untrained = new Rng(c.seed);
  const fresh = new StGcn({ ...methodOptions(c).encoder, rng: untrained.fork() });
  sets.push({ name: 'no pretraining (random init)', encoders: [fresh] });
  // The fair baseline for a two-encoder set: two untrained encoders side by side (the same features width).
  if (sets.some((s) => s.encoders.length === 2)) {
    const second = new StGcn({ ...methodOptions(c).encoder, rng: untrained.fork() });
    sets.push({ name: UNTRAINED_PAIR, encoders: [fresh, second] });
  }

  const evaluations: EvaluatedSet[] = [];
  const trainLabels = requireLabels(data.train);
  const valLabels = requireLabels(data.val);
  // Each encoder is encoded once; sets of several encoders concatenate the cached features.
  const clean = frozenFeatures(data);
  const featuresOf = clean.of;
  for (const set of sets) {
    const tr = await clean.set(set.encoders, 'train');
    const va = await clean.set(set.encoders, 'val');
    const parameters = set.encoders.reduce((s, e) => s + e.numParameters(), 0);
    const e: EvaluatedSet = {
      name: set.name,
      parameters,
      ...(await scoreFeatures(c, classes, { ...tr, labels: trainLabels }, { ...va, labels: valLabels })),
    };
    evaluations.push(e);
    log.write({ event: 'linear', seed: c.seed, ...e });
  }

  // Transfer: encoders pretrained on the clean clips, evaluated on a noisy variant of the benchmark.
  const noisy = c.transferNoise === false ? null : noisySplit(c, data, c.transferNoise);
  const protocols: ProtocolScore[] = [];
  if (noisy) {
    const labelled = { train: requireLabels(noisy.train), val: requireLabels(noisy.val) };
    const features = frozenFeatures(noisy);
    for (const set of sets) {
      const s = await scoreFeatures(
        c,
        classes,
        { ...(await features.set(set.encoders, 'train')), labels: labelled.train },
        { ...(await features.set(set.encoders, 'val')), labels: labelled.val },
      );
      const n = labelled.train.length;
      for (const [protocol, valAccuracy] of [
        [TRANSFER_LINEAR, s.valAccuracy],
        [TRANSFER_KNN, s.knnAccuracy!],
      ] as const) {
        protocols.push({ set: set.name, protocol, valAccuracy, labelled: n });
        log.write({ event: 'protocol', seed: c.seed, set: set.name, protocol, valAccuracy, labelled: n });
      }
    }
  }
  if (c.finetuneEpochs > 0) {
    const transfer = c.transferFinetune && noisy ? { ...noisy, classes } : null;
    protocols.push(...(await finetuneProtocols(c, sets, { ...data, classes }, transfer, log)));
  }

  const asma = sets.find((s) => s.name === `${label('asma')} (A+B)`);
  let compression: CompressionReport | undefined;
  let distillation: DistillationScore[] = [];
  if (asma) {
    const [a, b] = asma.encoders as [StGcn, StGcn];
    // Raw features: trainAlignment standardises them inside the module (training statistics).
    const fa = await featuresOf(a);
    const fb = await featuresOf(b);
    const module = await alignFeatures(c, { a: fa.train, b: fb.train }, trainLabels, classes);
    const e = {
      name: 'ASMa + alignment module',
      parameters: a.numParameters() + b.numParameters(),
      trainAccuracy: accuracy(await predictAlignment(module, fa.train, fb.train), trainLabels),
      valAccuracy: accuracy(await predictAlignment(module, fa.val, fb.val), valLabels),
    };
    evaluations.push(e);
    log.write({ event: 'align', seed: c.seed, ...e });
    const teacher = { encoderA: a, encoderB: b, alignment: module };
    if (c.distillEpochs > 0)
      distillation = await distillationStudy(c, teacher, data, classes, e.valAccuracy, log);
    if (compress && c.distillEpochs > 0) {
      compression = await compressionReport({
        teacher,
        train: data.train,
        val: data.val,
        outDir: join(outDir, 'compress'),
        epochs: c.distillEpochs,
        seed: c.seed,
        prune: false,
        progress,
      });
      log.write({ event: 'compress', seed: c.seed, table: compressionTable(compression) });
    }
  }
  return {
    seed: c.seed,
    trainClips: data.train.clips.shape[0],
    valClips: data.val.clips.shape[0],
    classes,
    pretraining,
    evaluations,
    protocols,
    distillation,
    compression,
    seconds: (performance.now() - started) / 1000,
  };
}

export function label(method: string): string {
  return (
    { asma: 'ASMa', pstl: 'PSTL', random: 'random masks', 'barlow-twins': 'Barlow Twins (no masking)' }[
      method
    ] ?? method
  );
}
