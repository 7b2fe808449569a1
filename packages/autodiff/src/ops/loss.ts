/** Losses: crossEntropy (with label smoothing), nllLoss, klDiv (F.kl_div semantics), mseLoss; oneHot helper. */
import { getBackend } from '@asma/kernels';
import { record } from '../grad/tape.js';
import { allocate, allocateHost, assertSameDtype, type DType, storageOf, Tensor } from '../tensor.js';
import { logSoftmax } from './activation.js';
import { klPointwise, mul, square, sub } from './elementwise.js';
import { ArgumentError, fmtShape, ShapeError } from './errors.js';
import { mean, sum } from './reduce.js';

export type Reduction = 'mean' | 'sum' | 'none';

/** One-hot matrix (N, numClasses) from integer labels. */
export function oneHot(labels: ArrayLike<number>, numClasses: number, opts: { dtype?: DType } = {}): Tensor {
  const n = labels.length;
  const data = allocateHost(opts.dtype ?? 'float32', n * numClasses);
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    if (!Number.isInteger(l) || l < 0 || l >= numClasses)
      throw new ArgumentError(`oneHot: label ${l} at position ${i} is not in [0, ${numClasses})`);
    data[i * numClasses + l] = 1;
  }
  return new Tensor(data, [n, numClasses]);
}

function checkLabels(op: string, input: Tensor, labels: ArrayLike<number>): void {
  if (input.ndim !== 2) throw new ShapeError(`${op}: input must be (N, C), got ${fmtShape(input.shape)}`);
  if (labels.length !== input.shape[0])
    throw new ShapeError(
      `${op}: input ${fmtShape(input.shape)} has ${input.shape[0]} rows but there are ${labels.length} labels`,
    );
}

function reduce(op: string, t: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'mean') return mean(t);
  if (reduction === 'sum') return sum(t);
  if (reduction === 'none') return t;
  throw new ArgumentError(`${op}: unknown reduction '${reduction as string}'`);
}

/** Negative log-likelihood of integer labels given log-probabilities (N, C); like F.nll_loss. */
export function nllLoss(
  logProbs: Tensor,
  labels: ArrayLike<number>,
  opts: { reduction?: Reduction } = {},
): Tensor {
  checkLabels('nllLoss', logProbs, labels);
  const [n, c] = logProbs.shape as [number, number];
  const lab = Int32Array.from(labels);
  for (let i = 0; i < n; i++)
    if (lab[i]! < 0 || lab[i]! >= c || lab[i] !== labels[i])
      throw new ArgumentError(`nllLoss: label ${labels[i]} at position ${i} is not in [0, ${c})`);
  const be = getBackend();
  const out = new Tensor(allocate(logProbs.dtype, n, false), [n]);
  be.nll(out.storage, storageOf(logProbs), lab, c);
  const picked = record(out, 'nllLoss', [logProbs], (g) => {
    const gx = allocate(logProbs.dtype, logProbs.size, false);
    be.nllGrad(gx, g, lab, c);
    return [gx];
  });
  return reduce('nllLoss', picked, opts.reduction ?? 'mean');
}

/**
 * Cross-entropy of logits (N, C) against integer labels: mean NLL of logSoftmax, like F.cross_entropy.
 * With labelSmoothing s the target is (1 - s) one-hot + s / C.
 */
export function crossEntropy(
  logits: Tensor,
  labels: ArrayLike<number>,
  opts: { reduction?: Reduction; labelSmoothing?: number } = {},
): Tensor {
  checkLabels('crossEntropy', logits, labels);
  const s = opts.labelSmoothing ?? 0;
  if (!(s >= 0 && s <= 1))
    throw new ArgumentError(`crossEntropy: labelSmoothing must be in [0, 1], got ${s}`);
  const reduction = opts.reduction ?? 'mean';
  const logp = logSoftmax(logits, 1);
  const nll = nllLoss(logp, labels, { reduction: 'none' });
  if (s === 0) return reduce('crossEntropy', nll, reduction);
  const c = logits.shape[1]!;
  // PyTorch: (1 - s) * nll + s * mean_c(-log p_c).
  const smooth = mul(sum(logp, 1), -1 / c);
  const per = sub(mul(nll, 1 - s), mul(smooth, -s));
  return reduce('crossEntropy', per, reduction);
}

/**
 * KL divergence with torch.nn.functional.kl_div semantics: `input` holds log-probabilities, `target` probabilities;
 * pointwise target * (log target - input) with 0 where target = 0. 'batchmean' divides the sum by N.
 */
export function klDiv(
  input: Tensor,
  target: Tensor,
  opts: { reduction?: 'batchmean' | 'sum' | 'mean' | 'none' } = {},
): Tensor {
  assertSameDtype('klDiv', input, target);
  if (input.ndim !== target.ndim || input.shape.some((d, i) => d !== target.shape[i]))
    throw new ShapeError(`klDiv: input ${fmtShape(input.shape)} and target ${fmtShape(target.shape)} differ`);
  const point = klPointwise(input, target);
  const reduction = opts.reduction ?? 'mean';
  if (reduction === 'batchmean') {
    const n = input.ndim === 0 ? 1 : input.shape[0]!;
    return mul(sum(point), 1 / n);
  }
  return reduce('klDiv', point, reduction);
}

/** Mean squared error like F.mse_loss. */
export function mseLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  if (input.ndim !== target.ndim || input.shape.some((d, i) => d !== target.shape[i]))
    throw new ShapeError(
      `mseLoss: input ${fmtShape(input.shape)} and target ${fmtShape(target.shape)} differ`,
    );
  return reduce('mseLoss', square(sub(input, target)), opts.reduction ?? 'mean');
}
