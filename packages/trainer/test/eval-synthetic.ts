/** Synthetic feature sets for the evaluation and alignment tests: Gaussian clusters, one per class. */
import { Rng } from '@asma/util';

export interface Clusters {
  features: Float32Array;
  labels: Int32Array;
}

/** n clips (round-robin labels) around `classes` random centres of norm ~`spread` in `dim` dimensions. */
export function clusters(n: number, dim: number, classes: number, seed: number, spread = 4): Clusters {
  const rng = new Rng(seed);
  const centres = Array.from({ length: classes }, () =>
    Array.from({ length: dim }, () => rng.normal() * spread),
  );
  const features = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % classes;
    for (let j = 0; j < dim; j++) features[i * dim + j] = centres[labels[i]!]![j]! + rng.normal();
  }
  return { features, labels };
}

/** The first `k` clips and the rest. */
export function splitRows(c: Clusters, dim: number, k: number): [Clusters, Clusters] {
  return [
    { features: c.features.slice(0, k * dim), labels: c.labels.slice(0, k) },
    { features: c.features.slice(k * dim), labels: c.labels.slice(k) },
  ];
}
