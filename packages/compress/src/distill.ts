/**
 * Knowledge distillation (Hinton et al.) from the aligned ASMa teacher into a small ST-GCN student:
 *   L = alpha * CE(student, labels) + (1 - alpha) * tau^2 * KL(softmax(teacher / tau) || softmax(student / tau)).
 * The tau^2 factor keeps the soft term's gradient scale independent of tau. Teacher logits are computed
 * once per training clip (eval mode, no augmentation), so an epoch costs only the student's steps.
 */
import { Adam, add, cosineLr, crossEntropy, klDiv, logSoftmax, mul, softmax, Tensor } from '@asma/autodiff';
import {
  type ActionClassifier,
  batchTensor,
  type ClipDataset,
  classCount,
  clipCount,
  type EpochRecord,
  evaluateClassifier,
  fit,
  forEachBatch,
  gatherClips,
  moveToHost,
  requireLabels,
} from '@asma/trainer';
import { loadNodeOnly, Rng } from '@asma/util';
import { createStudent, type StudentOptions } from './student.js';

export interface DistillationLossOptions {
  /** Weight of the hard-label cross-entropy (default 0.5). */
  alpha?: number;
  /** Softmax temperature (default 4). */
  tau?: number;
}

/** alpha * CE + (1 - alpha) * tau^2 * KL(teacher_tau || student_tau), KL averaged over the batch. */
export function distillationLoss(
  studentLogits: Tensor,
  teacherLogits: Tensor,
  labels: ArrayLike<number>,
  o: DistillationLossOptions = {},
): Tensor {
  const alpha = o.alpha ?? 0.5;
  const tau = o.tau ?? 4;
  if (!(alpha >= 0 && alpha <= 1))
    throw new RangeError(`distillationLoss: alpha must be in [0, 1], got ${alpha}`);
  if (!(tau > 0 && Number.isFinite(tau)))
    throw new RangeError(`distillationLoss: tau must be > 0, got ${tau}`);
  const s = studentLogits.shape;
  const t = teacherLogits.shape;
  if (s.length !== 2 || t.length !== 2 || s[0] !== t[0] || s[1] !== t[1])
    throw new RangeError(
      `distillationLoss: student logits [${s.join(', ')}] and teacher logits [${t.join(', ')}] must both be (N, C)`,
    );
  const ce = crossEntropy(studentLogits, labels);
  if (alpha === 1) return ce;
  const target = softmax(mul(teacherLogits.detach(), 1 / tau), 1);
  const kl = klDiv(logSoftmax(mul(studentLogits, 1 / tau), 1), target, { reduction: 'batchmean' });
  return add(mul(ce, alpha), mul(kl, (1 - alpha) * tau * tau));
}

/** A teacher as a function of a clip batch (N, C, T, V, M) -> logits (N, classes). */
export type TeacherFn = (x: Tensor) => Tensor;

/** Eval-mode teacher logits of every clip, (N, classes) row-major. */
export async function teacherLogits(
  teacher: TeacherFn,
  data: ClipDataset,
  batchSize = 64,
): Promise<Float32Array> {
  let out: Float32Array | null = null;
  await forEachBatch(data, batchSize, teacher, (logits, start) => {
    const c = logits.shape[1]!;
    out ??= new Float32Array(clipCount(data) * c);
    out.set(logits.data as Float32Array, start * c);
  });
  return out ?? new Float32Array(0);
}

export interface DistillOptions extends DistillationLossOptions {
  /**
   * (N, classes) logits of the training clips, or the teacher itself (its logits are computed once).
   * May be omitted only with alpha = 1 (plain cross-entropy fine-tuning).
   */
  teacher?: Float32Array | TeacherFn;
  train: ClipDataset;
  val?: ClipDataset;
  classes?: number;
  /** The student's architecture (ignored when `model` is given). */
  student?: StudentOptions;
  /** Train this classifier instead of a fresh student (e.g. a pruned model). */
  model?: ActionClassifier;
  epochs: number;
  batchSize?: number;
  /** Adam learning rate, cosine to 0 (default 5e-3). */
  lr?: number;
  weightDecay?: number;
  seed?: number;
  /** Folder for checkpoint.safetensors, student.safetensors and log.jsonl. */
  outDir?: string;
  resume?: boolean;
  progress?: string | false;
  onEpoch?: (record: EpochRecord) => void;
  /** Called after every optimiser step (e.g. to re-apply pruning masks). */
  afterStep?: () => void;
}

export interface DistillResult {
  model: ActionClassifier;
  history: EpochRecord[];
  valAccuracy?: number;
  /** The (N, classes) teacher logits used. */
  teacherLogits: Float32Array;
}

export async function distill(o: DistillOptions): Promise<DistillResult> {
  const labels = requireLabels(o.train);
  const n = clipCount(o.train);
  const classes = o.classes ?? Math.max(classCount(o.train), o.val ? classCount(o.val) : 0);
  const alpha = o.alpha ?? 0.5;
  const tau = o.tau ?? 4;
  if (o.teacher === undefined && alpha !== 1)
    throw new RangeError(`distill: a teacher is needed unless alpha = 1 (got alpha ${alpha})`);
  const soft =
    o.teacher === undefined
      ? new Float32Array(n * classes)
      : typeof o.teacher === 'function'
        ? await teacherLogits(o.teacher, o.train)
        : o.teacher;
  if (soft.length !== n * classes)
    throw new RangeError(
      `distill: teacher logits hold ${soft.length} values, expected ${n} clips x ${classes} classes`,
    );
  const seed = o.seed ?? 0;
  const root = new Rng(seed);
  const model = o.model ?? createStudent(classes, o.student, root.fork());
  const rng = root.fork();
  const lr = o.lr ?? 5e-3;
  const batchSize = Math.min(o.batchSize ?? 32, n);
  const optimizer = new HookedAdam(model.parameters(), { lr, weightDecay: o.weightDecay ?? 0 }, o.afterStep);
  // Writing files needs Node: loaded only for a run with an output folder.
  const files = o.outDir
    ? await loadNodeOnly('distill with an outDir', 'leave outDir out', () => import('./node/run-files.js'))
    : null;
  const out = (name: string): string | null => (files && o.outDir ? files.join(o.outDir, name) : null);
  const { history } = await fit({
    module: model,
    optimizer,
    schedule: cosineLr(lr, o.epochs),
    epochs: o.epochs,
    count: n,
    batchSize,
    rng,
    step: (indices) => {
      const { batch } = gatherClips(o.train, indices);
      const y = Int32Array.from(indices, (i) => labels[i]!);
      const t = new Float32Array(indices.length * classes);
      for (const [r, i] of indices.entries())
        t.set(soft.subarray(i * classes, (i + 1) * classes), r * classes);
      const logits = model.forward(batchTensor(batch));
      return { loss: distillationLoss(logits, new Tensor(t, [indices.length, classes]), y, { alpha, tau }) };
    },
    evaluate: o.val ? async () => ({ valAccuracy: await evaluateClassifier(model, o.val!) }) : undefined,
    checkpoint: out('checkpoint.safetensors'),
    resume: o.resume,
    // The clips, the starting student and the teachers (through their logits): a resume must see the same.
    inputs: files
      ? {
          data: files.datasetHash(o.train),
          student: await files.moduleHash(model),
          teachers: files.contentHash(soft),
        }
      : undefined,
    config: { protocol: 'distill', seed, epochs: o.epochs, batchSize, lr, alpha, tau, classes, clips: n },
    log: out('log.jsonl'),
    progress: o.progress ?? 'distill',
    onEpoch: o.onEpoch,
  });
  o.afterStep?.();
  await moveToHost(model);
  if (files && o.outDir) files.saveClassifier(model, files.join(o.outDir, 'student.safetensors'));
  const last = history[history.length - 1];
  return { model, history, valAccuracy: last?.metrics.valAccuracy, teacherLogits: soft };
}

/** Adam that runs a hook after every step: pruning masks stay applied while fine-tuning. */
export class HookedAdam extends Adam {
  constructor(
    params: Tensor[],
    opts: { lr: number; weightDecay?: number },
    private readonly hook?: () => void,
  ) {
    super(params, opts);
  }
  override step(): Tensor | null {
    const nonFinite = super.step();
    this.hook?.();
    return nonFinite;
  }
}
