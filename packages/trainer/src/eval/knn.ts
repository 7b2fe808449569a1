/**
 * k-nearest-neighbour evaluation on frozen features, the label-free-training check of the skeleton
 * SSL literature: every validation row votes with its k most cosine-similar training rows, each
 * neighbour weighted exp(similarity / temperature) (Wu et al. 2018's weighted kNN; the nearest
 * neighbour wins ties). No training, no hyper-parameter search: it measures the feature space as is.
 */
import { checkClasses, checkFeatures, checkLabels, checkPositiveInt, FeatureInputError } from './features.js';

export interface KnnOptions {
  train: { features: ArrayLike<number>; labels: ArrayLike<number> };
  val: { features: ArrayLike<number>; labels: ArrayLike<number> };
  dim: number;
  classes: number;
  /** Neighbours per vote (default 20, capped at the training rows). */
  k?: number;
  /** Temperature of the vote weights (default 0.07). */
  temperature?: number;
}

export interface KnnResult {
  accuracy: number;
  predictions: Int32Array;
}

/** Rows scaled to unit length (a zero row stays zero: it is similar to nothing). */
function unitRows(x: ArrayLike<number>, rows: number, dim: number): Float64Array {
  const out = new Float64Array(rows * dim);
  for (let i = 0; i < rows; i++) {
    let n = 0;
    for (let j = 0; j < dim; j++) n += x[i * dim + j]! ** 2;
    const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
    for (let j = 0; j < dim; j++) out[i * dim + j] = x[i * dim + j]! * inv;
  }
  return out;
}

export function knnEvaluate(o: KnnOptions): KnnResult {
  const where = 'knnEvaluate';
  checkClasses(where, o.classes);
  const nTrain = o.train.labels.length;
  const nVal = o.val.labels.length;
  if (nTrain === 0 || nVal === 0)
    throw new FeatureInputError(`${where}: train and val need at least one row each`);
  checkLabels(where, 'train.labels', o.train.labels, o.classes);
  checkLabels(where, 'val.labels', o.val.labels, o.classes);
  checkFeatures(where, 'train.features', o.train.features, nTrain, o.dim);
  checkFeatures(where, 'val.features', o.val.features, nVal, o.dim);
  const k = Math.min(o.k ?? 20, nTrain);
  checkPositiveInt(where, 'k', k);
  const temperature = o.temperature ?? 0.07;
  if (!(temperature > 0))
    throw new FeatureInputError(`${where}: temperature must be > 0, got ${temperature}`);
  const d = o.dim;
  const tr = unitRows(o.train.features, nTrain, d);
  const va = unitRows(o.val.features, nVal, d);
  const predictions = new Int32Array(nVal);
  const sims = new Float64Array(nTrain);
  const order = new Int32Array(nTrain);
  const votes = new Float64Array(o.classes);
  let hits = 0;
  for (let i = 0; i < nVal; i++) {
    for (let j = 0; j < nTrain; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += va[i * d + c]! * tr[j * d + c]!;
      sims[j] = s;
      order[j] = j;
    }
    // Most similar first; equal similarities keep the lower training index (deterministic).
    order.sort((a, b) => sims[b]! - sims[a]! || a - b);
    votes.fill(0);
    for (let r = 0; r < k; r++) {
      const j = order[r]!;
      votes[o.train.labels[j]!]! += Math.exp((sims[j]! - 1) / temperature);
    }
    let best = o.train.labels[order[0]!]!;
    for (let c = 0; c < o.classes; c++) if (votes[c]! > votes[best]!) best = c;
    predictions[i] = best;
    if (best === o.val.labels[i]) hits++;
  }
  return { accuracy: hits / nVal, predictions };
}
