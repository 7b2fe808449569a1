/**
 * Barlow Twins redundancy-reduction loss (Zbontar et al. 2021), as PSTL and ASMa use it:
 *   c = z1n^T z2n / N,  loss = sum_i (c_ii - 1)^2 + lambda * sum_{i != j} c_ij^2,
 * where zXn are the projections standardised per feature over the batch (BatchNorm1d without
 * affine, training mode: biased variance, eps 1e-5).
 */
import {
  ArgumentError,
  add,
  div,
  matmul,
  mean,
  mul,
  sqrt,
  square,
  sub,
  sum,
  type Tensor,
  transpose,
} from '@asma/autodiff';

export interface BarlowTwinsOptions {
  /** Weight of the off-diagonal (redundancy) term; PSTL uses 2e-4. */
  lambda?: number;
  /**
   * Standardise z1 and z2 over the batch first (default true). Pass false when the inputs were
   * already normalised, e.g. by BarlowTwinsHead's non-affine BatchNorm.
   */
  normalize?: boolean;
  /** Variance epsilon of the standardisation (BatchNorm's 1e-5). */
  eps?: number;
}

export const BARLOW_TWINS_LAMBDA = 2e-4;

/** Per-feature standardisation over the batch axis: (z - mean) / sqrt(biased var + eps). */
export function batchStandardize(z: Tensor, eps = 1e-5): Tensor {
  const centred = sub(z, mean(z, 0, true));
  const variance = mean(square(centred), 0, true);
  return div(centred, sqrt(add(variance, eps)));
}

/** The loss and its two terms (scalar tensors): what a log needs to tell invariance from redundancy. */
export interface BarlowTwinsTerms {
  loss: Tensor;
  /** sum_i (c_ii - 1)^2: 0 when every feature is invariant to the views. */
  onDiagonal: Tensor;
  /** sum_{i != j} c_ij^2, unweighted: 0 when the features are decorrelated (collapse drives it up). */
  offDiagonal: Tensor;
  /** D, the projection width: offDiagonal / (D (D - 1)) is the mean squared correlation, 1 when collapsed. */
  width: number;
}

/** The Barlow Twins loss of two (N, D) projections of the same N samples; a scalar tensor. */
export function barlowTwinsLoss(z1: Tensor, z2: Tensor, opts: BarlowTwinsOptions = {}): Tensor {
  return barlowTwinsTerms(z1, z2, opts).loss;
}

/** The Barlow Twins loss with its on- and off-diagonal terms. */
export function barlowTwinsTerms(z1: Tensor, z2: Tensor, opts: BarlowTwinsOptions = {}): BarlowTwinsTerms {
  const lambda = opts.lambda ?? BARLOW_TWINS_LAMBDA;
  if (z1.ndim !== 2 || z1.shape[0] !== z2.shape[0] || z1.shape[1] !== z2.shape[1] || z2.ndim !== 2)
    throw new ArgumentError(
      `barlowTwinsLoss: z1 and z2 must both be (N, D), got [${z1.shape.join(', ')}] and [${z2.shape.join(', ')}]`,
    );
  const n = z1.shape[0]!;
  if (n < 2) throw new ArgumentError(`barlowTwinsLoss: needs a batch of at least 2 samples, got ${n}`);
  const normalize = opts.normalize ?? true;
  const a = normalize ? batchStandardize(z1, opts.eps) : z1;
  const b = normalize ? batchStandardize(z2, opts.eps) : z2;
  // c = a^T b / N (D x D). Its diagonal is mean_n a*b, computed directly rather than by masking c.
  const c = mul(matmul(transpose(a, 0, 1), b), 1 / n);
  const diag = mean(mul(a, b), 0);
  const onDiagonal = sum(square(sub(diag, 1)));
  const offDiagonal = sub(sum(square(c)), sum(square(diag)));
  return { loss: add(onDiagonal, mul(offDiagonal, lambda)), onDiagonal, offDiagonal, width: z1.shape[1]! };
}
