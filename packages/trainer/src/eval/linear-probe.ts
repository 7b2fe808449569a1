/**
 * Linear evaluation on frozen features (PSTL protocol): Linear(D, classes) trained with cross-entropy,
 * Adam lr 0.01 and a cosine schedule over the epochs, optionally on standardised features.
 */
import { Linear } from '@asma/autodiff';
import { Rng } from '@asma/util';
import { checkClasses, checkFeatures, checkLabels, FeatureInputError, gatherRows } from './features.js';
import { type ClassifierEpoch, fitClassifier, type OptimizerKind } from './fit.js';
import { accuracy, predict } from './metrics.js';

export interface LinearProbeOptions {
  /** (N, dim) row-major frozen features. */
  features: Float32Array;
  labels: ArrayLike<number>;
  /** Feature size; inferred as features.length / labels.length when absent. */
  dim?: number;
  classes: number;
  /** Default 150 (PSTL). */
  epochs?: number;
  /** Default 128. */
  batchSize?: number;
  /** Peak learning rate of the cosine schedule, default 0.01 (PSTL). */
  lr?: number;
  /** Seeds the classifier's initialisation and the shuffles (default 0). */
  seed?: number;
  /** Default 0 (PSTL's linear evaluation uses none). */
  weightDecay?: number;
  /** Default 'adam' (PSTL). */
  optimizer?: OptimizerKind;
  /** Standardise each feature with the training mean and std before the classifier (default false). */
  standardize?: boolean;
  val?: { features: Float32Array; labels: ArrayLike<number> };
  onEpoch?: (record: ClassifierEpoch) => void;
  progress?: boolean;
  logPath?: string | null;
}

/** Per-feature mean and standard deviation of the training features. */
export interface Standardizer {
  mean: Float32Array;
  std: Float32Array;
}

export interface LinearProbeResult {
  classifier: Linear;
  history: ClassifierEpoch[];
  /** Applied to features before the classifier, when standardize was set. */
  standardizer: Standardizer | null;
  /** Eval-mode accuracy on the training features after training. */
  trainAcc: number;
  /** Accuracy on val after training, when val was given. */
  valAcc?: number;
  /** Predicted classes for raw (N, dim) features: standardised as in training, then classified. */
  predict(features: Float32Array): Promise<Int32Array>;
}

/** Column means and standard deviations (population); constant columns get std 1 so they map to 0. */
export function fitStandardizer(features: ArrayLike<number>, dim: number): Standardizer {
  const n = features.length / dim;
  if (!(Number.isInteger(n) && n >= 1))
    throw new FeatureInputError(`fitStandardizer: features has ${features.length} values, expected N*${dim}`);
  const mean = new Float64Array(dim);
  const sq = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j]! += features[i * dim + j]!;
  for (let j = 0; j < dim; j++) mean[j]! /= n;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < dim; j++) sq[j]! += (features[i * dim + j]! - mean[j]!) ** 2;
  const std = sq.map((s) => {
    const v = Math.sqrt(s / n);
    return v > 1e-12 ? v : 1;
  });
  return { mean: Float32Array.from(mean), std: Float32Array.from(std) };
}

/** (x - mean) / std per column, as a new array. */
export function applyStandardizer(features: ArrayLike<number>, s: Standardizer): Float32Array {
  const dim = s.mean.length;
  if (features.length % dim !== 0)
    throw new FeatureInputError(
      `applyStandardizer: features has ${features.length} values, expected N*${dim}`,
    );
  const out = new Float32Array(features.length);
  for (let i = 0; i < features.length; i++) out[i] = (features[i]! - s.mean[i % dim]!) / s.std[i % dim]!;
  return out;
}

export async function trainLinearProbe(opts: LinearProbeOptions): Promise<LinearProbeResult> {
  const where = 'trainLinearProbe';
  checkClasses(where, opts.classes);
  const labels = checkLabels(where, 'labels', opts.labels, opts.classes);
  const dim = checkFeatures(where, 'features', opts.features, labels.length, opts.dim);
  let val: { features: Float32Array; labels: Int32Array } | null = null;
  if (opts.val !== undefined) {
    const valLabels = checkLabels(where, 'val.labels', opts.val.labels, opts.classes);
    checkFeatures(where, 'val.features', opts.val.features, valLabels.length, dim);
    val = { features: opts.val.features, labels: valLabels };
  }
  const standardizer = opts.standardize ? fitStandardizer(opts.features, dim) : null;
  const prepare = (f: Float32Array) => (standardizer === null ? f : applyStandardizer(f, standardizer));
  const train = prepare(opts.features);
  const valFeatures = val === null ? null : prepare(val.features);
  const batchSize = opts.batchSize ?? 128;
  const root = new Rng(opts.seed ?? 0);
  const classifier = new Linear(dim, opts.classes, { rng: root.fork() });
  const history = await fitClassifier({
    where,
    module: classifier,
    forwardRows: (rows) => classifier.forward(gatherRows(train, dim, rows)),
    labels,
    epochs: opts.epochs ?? 150,
    batchSize,
    lr: opts.lr ?? 0.01,
    weightDecay: opts.weightDecay ?? 0,
    optimizer: opts.optimizer ?? 'adam',
    rng: root.fork(),
    validate:
      val === null || valFeatures === null
        ? undefined
        : async () => accuracy(await predict(classifier, valFeatures, batchSize), val.labels),
    onEpoch: opts.onEpoch,
    progress: opts.progress,
    logPath: opts.logPath,
  });
  const result: LinearProbeResult = {
    classifier,
    history,
    standardizer,
    trainAcc: accuracy(await predict(classifier, train, batchSize), labels),
    predict: (features) => predict(classifier, prepare(features), batchSize),
  };
  const last = history[history.length - 1]!;
  if (last.valAcc !== undefined) result.valAcc = last.valAcc;
  return result;
}
