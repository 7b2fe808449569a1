import type { Tensor } from '../tensor.js';

/**
 * Scale all gradients so that their joint norm is at most maxNorm (torch.nn.utils.clip_grad_norm_):
 * total = (sum_p ||g_p||^q)^(1/q) (q = Infinity: max |g|); grads *= min(1, maxNorm / (total + 1e-6)).
 * Parameters without a gradient are skipped. Returns the total norm before clipping.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, normType = 2): number {
  if (!(maxNorm >= 0)) throw new RangeError(`clipGradNorm: maxNorm must be >= 0, got ${maxNorm}`);
  if (!(normType > 0))
    throw new RangeError(`clipGradNorm: normType must be > 0 or Infinity, got ${normType}`);
  const grads = [...params].flatMap((p) => (p.grad === null ? [] : [p.grad.data]));
  if (grads.length === 0) return 0;
  let total = 0;
  if (normType === Number.POSITIVE_INFINITY) {
    for (const g of grads) for (let i = 0; i < g.length; i++) total = Math.max(total, Math.abs(g[i]!));
  } else {
    for (const g of grads) for (let i = 0; i < g.length; i++) total += Math.abs(g[i]!) ** normType;
    total = total ** (1 / normType);
  }
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = g[i]! * coef;
  return total;
}
