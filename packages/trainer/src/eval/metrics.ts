/** Classification metrics on logits or predicted labels, and batched inference with a frozen classifier. */
import { concat, type Module, noGrad, Tensor } from '@asma/autodiff';
import { chunks, FeatureInputError, gatherRows } from './features.js';
import { onHost } from './host.js';

/** Anything that maps (B, inFeatures) to (B, classes) logits, e.g. an autodiff Linear. */
export interface Classifier extends Module {
  readonly inFeatures: number;
  forward(x: Tensor): Tensor;
}

function checkLogits(where: string, logits: Tensor, labels: ArrayLike<number>): [number, number] {
  if (logits.ndim !== 2)
    throw new FeatureInputError(
      `${where}: logits must be (N, classes), got shape [${logits.shape.join(',')}]`,
    );
  const [n, c] = logits.shape as [number, number];
  if (labels.length !== n)
    throw new FeatureInputError(`${where}: logits have ${n} rows but labels has ${labels.length} entries`);
  return [n, c];
}

/** Row-wise argmax of (N, C) logits (first maximum on ties, as torch). */
export function argmaxRows(logits: Tensor): Int32Array {
  if (logits.ndim !== 2)
    throw new FeatureInputError(
      `argmaxRows: logits must be (N, classes), got shape [${logits.shape.join(',')}]`,
    );
  const [n, c] = logits.shape as [number, number];
  const out = new Int32Array(n);
  const x = logits.data;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (x[i * c + j]! > x[i * c + best]!) best = j;
    out[i] = best;
  }
  return out;
}

/** Fraction of rows whose prediction equals the label; takes (N, C) logits or N predicted labels. */
export function accuracy(logitsOrPredictions: Tensor | ArrayLike<number>, labels: ArrayLike<number>): number {
  let pred: ArrayLike<number> = logitsOrPredictions as ArrayLike<number>;
  if (logitsOrPredictions instanceof Tensor) {
    checkLogits('accuracy', logitsOrPredictions, labels);
    pred = argmaxRows(logitsOrPredictions);
  }
  if (pred.length !== labels.length)
    throw new FeatureInputError(
      `accuracy: predictions has ${pred.length} entries but labels has ${labels.length}`,
    );
  if (labels.length === 0) throw new FeatureInputError('accuracy: labels must not be empty');
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) hits++;
  return hits / labels.length;
}

/**
 * Top-k accuracy: a row counts when fewer than k classes have a strictly larger logit than the true class
 * (ties are resolved in the label's favour, so top-1 can exceed argmax accuracy only on exact ties).
 */
export function topK(logits: Tensor, labels: ArrayLike<number>, k: number): number {
  const [n, c] = checkLogits('topK', logits, labels);
  if (!(Number.isInteger(k) && k >= 1 && k <= c))
    throw new FeatureInputError(`topK: k must be an integer in [1, ${c}] (classes), got ${k}`);
  if (n === 0) throw new FeatureInputError('topK: labels must not be empty');
  const x = logits.data;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    if (!(Number.isInteger(l) && l >= 0 && l < c))
      throw new FeatureInputError(`topK: labels[${i}] = ${l} is not a class index in [0, ${c})`);
    const target = x[i * c + l]!;
    let above = 0;
    for (let j = 0; j < c; j++) if (x[i * c + j]! > target) above++;
    if (above < k) hits++;
  }
  return hits / n;
}

/** counts[true][predicted] over `classes` classes. */
export function confusionMatrix(
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
): number[][] {
  if (!(Number.isInteger(classes) && classes >= 1))
    throw new FeatureInputError(`confusionMatrix: classes must be a positive integer, got ${classes}`);
  if (predictions.length !== labels.length)
    throw new FeatureInputError(
      `confusionMatrix: predictions has ${predictions.length} entries but labels has ${labels.length}`,
    );
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) {
    for (const [field, v] of [
      ['labels', labels[i]!],
      ['predictions', predictions[i]!],
    ] as const)
      if (!(Number.isInteger(v) && v >= 0 && v < classes))
        throw new FeatureInputError(
          `confusionMatrix: ${field}[${i}] = ${v} is not a class index in [0, ${classes})`,
        );
    m[labels[i]!]![predictions[i]!]!++;
  }
  return m;
}

/**
 * Eval-mode logits of n rows computed in batches without gradients; `forwardRows` maps row indices to
 * (B, C) logits. The module's training flag is restored afterwards.
 */
export function logitsInBatches(
  module: Module,
  n: number,
  batchSize: number,
  forwardRows: (rows: Int32Array) => Tensor,
): Tensor {
  const wasTraining = module.training;
  module.eval();
  try {
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const parts = noGrad(() => [...chunks(order, batchSize)].map(forwardRows));
    return parts.length === 1 ? parts[0]! : concat(parts, 0);
  } finally {
    module.train(wasTraining);
  }
}

function featureRows(where: string, classifier: Classifier, features: Float32Array | Tensor): number {
  const d = classifier.inFeatures;
  const size = features instanceof Tensor ? features.size : features.length;
  if (features instanceof Tensor ? features.ndim !== 2 || features.shape[1] !== d : size % d !== 0)
    throw new FeatureInputError(
      `${where}: features must be (N, ${d}) for a classifier with ${d} inputs, got ${
        features instanceof Tensor ? `shape [${features.shape.join(',')}]` : `${size} values`
      }`,
    );
  return size / d;
}

/** Logits (N, C) of a classifier on an (N, inFeatures) matrix, in eval mode and batches. */
export function predictLogits(
  classifier: Classifier,
  features: Float32Array | Tensor,
  batchSize = 256,
): Tensor {
  const n = featureRows('predictLogits', classifier, features);
  const data = features instanceof Tensor ? features.data : features;
  const d = classifier.inFeatures;
  // Rows take the classifier's dtype so a float64 classifier also accepts Float32Array features.
  const dtype = classifier.parameters()[0]?.dtype ?? 'float32';
  return logitsInBatches(classifier, n, batchSize, (rows) =>
    classifier.forward(gatherRows(data, d, rows, dtype)),
  );
}

/** Predicted class per row (argmax of predictLogits, read back when they are on a device). */
export async function predict(
  classifier: Classifier,
  features: Float32Array | Tensor,
  batchSize = 256,
): Promise<Int32Array> {
  return argmaxRows(await onHost(predictLogits(classifier, features, batchSize)));
}
