/**
 * Supervised classification on top of the shared epoch loop (`fit` in ../train/fit.ts): cross-entropy,
 * Adam or AdamW, a cosine learning rate set once per epoch (PSTL), training accuracy and optional
 * validation accuracy per epoch. Used by both the linear probe and the alignment trainer.
 */
import { Adam, AdamW, cosineLr, crossEntropy, type Module, Tensor } from '@asma/autodiff';
import type { FloatArray } from '@asma/kernels';
import type { Rng } from '@asma/util';
import { fit } from '../train/fit.js';
import { checkNonNegative, checkPositiveInt, FeatureInputError } from './features.js';
import { argmaxRows } from './metrics.js';

export type OptimizerKind = 'adam' | 'adamw';

export interface ClassifierEpoch {
  epoch: number;
  /** Mean training cross-entropy over the epoch's samples. */
  loss: number;
  /** Accuracy on the training batches as they were seen (training mode, weights changing). */
  trainAcc: number;
  /** Validation accuracy after the epoch, when validation data was given. */
  valAcc?: number;
  /** Learning rate used during the epoch. */
  lr: number;
}

export interface FitClassifierOptions {
  /** Caller's name, used in errors and as the progress label. */
  where: string;
  module: Module;
  /** Training-mode logits (B, classes) for training rows `rows`. */
  forwardRows: (rows: Int32Array) => Tensor;
  labels: Int32Array;
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  optimizer: OptimizerKind;
  /** Draws the per-epoch shuffles. */
  rng: Rng;
  /** Validation accuracy, called after every epoch. */
  validate?: () => number | Promise<number>;
  onEpoch?: (record: ClassifierEpoch) => void;
  /** Progress bar on stderr (default true; drawn only on a terminal). */
  progress?: boolean;
  /** JSON-lines log file with one record per epoch (default none). */
  logPath?: string | null;
}

export async function fitClassifier(opts: FitClassifierOptions): Promise<ClassifierEpoch[]> {
  const { where, module, labels } = opts;
  checkPositiveInt(where, 'epochs', opts.epochs);
  checkPositiveInt(where, 'batchSize', opts.batchSize);
  checkNonNegative(where, 'lr', opts.lr);
  checkNonNegative(where, 'weightDecay', opts.weightDecay);
  if (opts.optimizer !== 'adam' && opts.optimizer !== 'adamw')
    throw new FeatureInputError(`${where}: optimizer must be 'adam' or 'adamw', got '${opts.optimizer}'`);
  const Opt = opts.optimizer === 'adam' ? Adam : AdamW;
  const optimizer = new Opt(module.parameters(), { lr: opts.lr, weightDecay: opts.weightDecay });
  let hits = 0;
  let seen = 0;
  const history: ClassifierEpoch[] = [];
  await fit({
    module,
    optimizer,
    schedule: cosineLr(opts.lr, opts.epochs),
    epochs: opts.epochs,
    count: labels.length,
    batchSize: opts.batchSize,
    // Every clip counts in evaluation protocols, and no layer here needs batch statistics.
    dropLast: false,
    rng: opts.rng,
    log: opts.logPath ?? null,
    progress: opts.progress === false ? false : where,
    step(indices) {
      const rows = Int32Array.from(indices);
      const y = rows.map((r) => labels[r]!);
      const logits = opts.forwardRows(rows);
      // Training accuracy counts when the logits are read (at once on the CPU, with the loss on a device).
      const observe = {
        tensor: logits,
        use(values: FloatArray) {
          const pred = argmaxRows(new Tensor(values, logits.shape));
          for (let i = 0; i < rows.length; i++) if (pred[i] === y[i]) hits++;
          seen += rows.length;
        },
      };
      return { loss: crossEntropy(logits, y), observe };
    },
    evaluate: async (): Promise<Record<string, number>> =>
      opts.validate === undefined ? {} : { valAcc: await opts.validate() },
    onEpoch(r) {
      const record: ClassifierEpoch = { epoch: r.epoch, loss: r.loss, trainAcc: hits / seen, lr: r.lr };
      if (r.metrics.valAcc !== undefined) record.valAcc = r.metrics.valAcc;
      hits = 0;
      seen = 0;
      history.push(record);
      opts.onEpoch?.(record);
    },
  });
  return history;
}
