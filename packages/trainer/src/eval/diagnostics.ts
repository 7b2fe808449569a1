/**
 * Does a representation collapse? Statistics of N feature rows of width D, on centred features:
 * - per-dimension standard deviation (a dead dimension has 0);
 * - effective rank (Roy & Vetterli 2007): exp of the entropy of the covariance eigenvalues
 *   normalised to sum 1 (the squared singular values of the centred features): 1 when every row lies
 *   on one line, D when the variance spreads evenly;
 * - the share of the variance along the top direction.
 * Barlow Twins exists to keep the effective rank high; a pretrained encoder whose rank is near 1
 * has collapsed, whatever its loss says.
 */
import { checkFeatures, checkPositiveInt, FeatureInputError } from './features.js';

export interface EmbeddingDiagnostics {
  rows: number;
  dim: number;
  /** Standard deviation of every dimension (biased, over the rows). */
  std: Float64Array;
  meanStd: number;
  minStd: number;
  effectiveRank: number;
  /**
   * The effective rank of the correlation matrix (each dimension standardised first): what a
   * standardised linear probe sees. Low effectiveRank with high correlationRank is a few loud
   * dimensions, not collapse; both low is collapse.
   */
  correlationRank: number;
  /** Largest covariance eigenvalue / trace: 1 when collapsed onto one direction. */
  topShare: number;
  /** Covariance eigenvalues, largest first. */
  eigenvalues: Float64Array;
}

export function embeddingDiagnostics(
  features: ArrayLike<number>,
  rows: number,
  dim: number,
): EmbeddingDiagnostics {
  checkPositiveInt('embeddingDiagnostics', 'rows', rows);
  if (rows < 2) throw new FeatureInputError('embeddingDiagnostics: needs at least 2 rows');
  checkFeatures('embeddingDiagnostics', 'features', features, rows, dim);
  const mean = new Float64Array(dim);
  for (let i = 0; i < rows; i++) for (let j = 0; j < dim; j++) mean[j]! += features[i * dim + j]!;
  for (let j = 0; j < dim; j++) mean[j]! /= rows; // a constant column gets its exact mean, and std 0
  const cov = new Float64Array(dim * dim);
  for (let i = 0; i < rows; i++)
    for (let a = 0; a < dim; a++) {
      const xa = features[i * dim + a]! - mean[a]!;
      for (let b = a; b < dim; b++) cov[a * dim + b]! += (xa * (features[i * dim + b]! - mean[b]!)) / rows;
    }
  for (let a = 0; a < dim; a++) for (let b = 0; b < a; b++) cov[a * dim + b] = cov[b * dim + a]!;
  const std = new Float64Array(dim);
  for (let j = 0; j < dim; j++) std[j] = Math.sqrt(cov[j * dim + j]!);
  const eigenvalues = symmetricEigenvalues(cov, dim).map((v) => Math.max(0, v));
  eigenvalues.sort((x, y) => y - x);
  const trace = eigenvalues.reduce((s, v) => s + v, 0);
  // Correlation: dead dimensions (std 0) are left out, as a standardiser cannot scale them.
  const live = [...std.keys()].filter((j) => std[j]! > 0);
  const corr = new Float64Array(live.length * live.length);
  live.forEach((a, i) => {
    live.forEach((b, j) => {
      corr[i * live.length + j] = cov[a * dim + b]! / (std[a]! * std[b]!);
    });
  });
  const corrEigenvalues = symmetricEigenvalues(corr, live.length).map((v) => Math.max(0, v));
  return {
    rows,
    dim,
    std,
    meanStd: std.reduce((s, v) => s + v, 0) / dim,
    minStd: Math.min(...std),
    effectiveRank: spectrumRank(eigenvalues),
    correlationRank: spectrumRank(corrEigenvalues),
    topShare: trace > 0 ? eigenvalues[0]! / trace : 0,
    eigenvalues,
  };
}

/** exp of the entropy of a spectrum normalised to sum 1; 0 for an all-zero spectrum. */
function spectrumRank(eigenvalues: ArrayLike<number>): number {
  let trace = 0;
  for (let i = 0; i < eigenvalues.length; i++) trace += eigenvalues[i]!;
  if (!(trace > 0)) return 0;
  let entropy = 0;
  for (let i = 0; i < eigenvalues.length; i++) {
    const p = eigenvalues[i]! / trace;
    if (p > 0) entropy -= p * Math.log(p);
  }
  return Math.exp(entropy);
}

/** Eigenvalues of a symmetric n x n matrix (row-major) by cyclic Jacobi rotations; the input is not changed. */
export function symmetricEigenvalues(matrix: ArrayLike<number>, n: number): Float64Array {
  const a = Float64Array.from(matrix);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          // Rotate rows/columns p and q.
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i * n + i]!;
  return out;
}
