/**
 * Fine-tuning (PSTL protocol): the pretrained encoder plus Linear(D, classes), all trainable, with
 * cross-entropy, Adam (lr 5e-3) and a cosine schedule. The semi-supervised protocol is fine-tuning on a
 * class-balanced 1 % or 10 % subset of the training clips; transfer is fine-tuning (or linear
 * evaluation) of an encoder pretrained on another dataset. Checkpoints and resume as in pretraining.
 */
import { Adam, concat, cosineLr, crossEntropy, Linear, Module, type Tensor } from '@asma/autodiff';
import { type Augmentation, type PstlAugmentOptions, pstlAugment } from '@asma/skeleton';
import { loadNodeOnly, Rng } from '@asma/util';
import {
  type ClipDataset,
  classCount,
  clipCount,
  gatherClips,
  requireLabels,
  subset,
} from '../data/dataset.js';
import { accuracy, argmaxRows } from '../eval/metrics.js';
import { classBalancedSubset } from '../eval/subset.js';
import type { StGcn } from '../model/stgcn.js';
import { batchTensor } from '../pretrain/tensor.js';
import { type EpochRecord, fit } from '../train/fit.js';
import { moveToHost } from '../train/host-module.js';
import { forEachBatch } from './encode.js';

/** Encoder + linear classifier, torch names: encoder.*, fc.* */
export class ActionClassifier extends Module {
  readonly encoder: StGcn;
  readonly fc: Linear;
  constructor(encoder: StGcn, classes: number, rng: Rng) {
    super();
    this.encoder = this.registerModule('encoder', encoder);
    this.fc = this.registerModule('fc', new Linear(encoder.outChannels, classes, { rng }));
  }
  forward(x: Tensor): Tensor {
    return this.fc.forward(this.encoder.forward(x));
  }
}

/**
 * Two encoders side by side + one linear classifier on their concatenated features (ASMa A+B fine-tuned
 * end to end, without the alignment module). Torch names: encoder_a.*, encoder_b.*, fc.*
 */
export class PairClassifier extends Module {
  readonly encoderA: StGcn;
  readonly encoderB: StGcn;
  readonly fc: Linear;
  constructor(encoders: readonly [StGcn, StGcn], classes: number, rng: Rng) {
    super();
    this.encoderA = this.registerModule('encoder_a', encoders[0]);
    this.encoderB = this.registerModule('encoder_b', encoders[1]);
    const width = encoders[0].outChannels + encoders[1].outChannels;
    this.fc = this.registerModule('fc', new Linear(width, classes, { rng }));
  }
  forward(x: Tensor): Tensor {
    return this.fc.forward(concat([this.encoderA.forward(x), this.encoderB.forward(x)], 1));
  }
}

/** What fine-tuning trains: one encoder or a pair, with a linear classifier on top. */
export type EncoderClassifier = ActionClassifier | PairClassifier;

export interface FinetuneOptions {
  /** Pretrained (or fresh) encoder, or a pair of them; trained in place. */
  encoder: StGcn | readonly [StGcn, StGcn];
  train: ClipDataset;
  val?: ClipDataset;
  /** Number of classes (default: from the training labels). */
  classes?: number;
  epochs: number;
  batchSize?: number;
  /** Adam learning rate (PSTL: 5e-3). */
  lr?: number;
  weightDecay?: number;
  seed?: number;
  /** PSTL augmentation of the training clips (default false: none). */
  augment?: PstlAugmentOptions | false;
  /** Folder for checkpoint.safetensors, classifier.safetensors and log.jsonl. */
  outDir?: string;
  resume?: boolean;
  progress?: string | false;
  onEpoch?: (record: EpochRecord) => void;
  /** On a device backend, steps between reads of the losses (fit's default 16). */
  readEvery?: number;
}

export interface FinetuneResult<M extends EncoderClassifier = EncoderClassifier> {
  model: M;
  history: EpochRecord[];
  /** Eval-mode accuracy on val after the last epoch (when val was given). */
  valAccuracy?: number;
}

/** Eval-mode accuracy of a classifier over a labelled clip set. */
export async function evaluateClassifier(
  model: EncoderClassifier,
  data: ClipDataset,
  batchSize = 64,
): Promise<number> {
  const labels = requireLabels(data);
  model.eval();
  const pred = new Int32Array(clipCount(data));
  await forEachBatch(
    data,
    batchSize,
    (x) => model.forward(x),
    (logits, s) => pred.set(argmaxRows(logits), s),
  );
  return accuracy(pred, labels);
}

export async function finetune(
  o: FinetuneOptions & { encoder: StGcn },
): Promise<FinetuneResult<ActionClassifier>>;
export async function finetune(o: FinetuneOptions): Promise<FinetuneResult>;
export async function finetune(o: FinetuneOptions): Promise<FinetuneResult> {
  const labels = requireLabels(o.train);
  const classes = o.classes ?? Math.max(classCount(o.train), o.val ? classCount(o.val) : 0);
  const seed = o.seed ?? 0;
  const root = new Rng(seed);
  const model: EncoderClassifier =
    'forward' in o.encoder
      ? new ActionClassifier(o.encoder, classes, root.fork())
      : new PairClassifier(o.encoder, classes, root.fork());
  const rng = root.fork();
  const lr = o.lr ?? 5e-3;
  const batchSize = Math.min(o.batchSize ?? 128, clipCount(o.train));
  const augment: Augmentation = o.augment ? pstlAugment(o.augment) : (x) => x;
  const optimizer = new Adam(model.parameters(), { lr, weightDecay: o.weightDecay ?? 0 });
  // Writing files needs Node: loaded only for a run with an output folder.
  const files = o.outDir
    ? await loadNodeOnly('finetune with an outDir', 'leave outDir out', () => import('../node/run-files.js'))
    : null;
  const out = (name: string): string | null => (files && o.outDir ? files.join(o.outDir, name) : null);
  const { history } = await fit({
    module: model,
    optimizer,
    schedule: cosineLr(lr, o.epochs),
    epochs: o.epochs,
    count: clipCount(o.train),
    batchSize,
    rng,
    step: (indices, r) => {
      const { batch } = gatherClips(o.train, indices);
      const y = Int32Array.from(indices, (i) => labels[i]!);
      return { loss: crossEntropy(model.forward(batchTensor(augment(batch, r))), y) };
    },
    evaluate: o.val ? async () => ({ valAccuracy: await evaluateClassifier(model, o.val!) }) : undefined,
    checkpoint: out('checkpoint.safetensors'),
    resume: o.resume,
    // The starting weights (the pretrained encoder) and the labelled clips: a resume must see the same.
    inputs: files ? { data: files.datasetHash(o.train), model: await files.moduleHash(model) } : undefined,
    config: {
      protocol: 'finetune',
      seed,
      epochs: o.epochs,
      batchSize,
      lr,
      classes,
      clips: clipCount(o.train),
    },
    log: out('log.jsonl'),
    progress: o.progress ?? 'finetune',
    onEpoch: o.onEpoch,
    readEvery: o.readEvery,
  });
  await moveToHost(model);
  if (files && o.outDir)
    files.saveCheckpoint(model, files.join(o.outDir, 'classifier.safetensors'), {
      'asma.classes': String(classes),
    });
  const last = history[history.length - 1];
  return { model, history, valAccuracy: last?.metrics.valAccuracy };
}

export interface SemiSupervisedOptions extends FinetuneOptions {
  /** Fraction of the labelled training clips kept per class (0.01 or 0.1 in the papers). */
  fraction: number;
}

/** Fine-tuning on a class-balanced subset of the training clips (seeded by `seed`). */
export async function semiSupervised(
  o: SemiSupervisedOptions & { encoder: StGcn },
): Promise<FinetuneResult<ActionClassifier> & { subset: Int32Array }>;
export async function semiSupervised(
  o: SemiSupervisedOptions,
): Promise<FinetuneResult & { subset: Int32Array }>;
export async function semiSupervised(
  o: SemiSupervisedOptions,
): Promise<FinetuneResult & { subset: Int32Array }> {
  const picked = classBalancedSubset(requireLabels(o.train), o.fraction, new Rng(o.seed ?? 0).fork());
  const train = subset(
    o.train,
    picked,
    `${o.train.source} (${(o.fraction * 100).toFixed(1)} % class-balanced)`,
  );
  const classes = o.classes ?? Math.max(classCount(o.train), o.val ? classCount(o.val) : 0);
  return { ...(await finetune({ ...o, train, classes })), subset: picked };
}
