/** Class probabilities from logits and the top-k list shown in the page. */

export interface Ranked {
  index: number;
  label: string;
  probability: number;
}

/** Numerically stable softmax (float64). */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp(logits[i]! - max);
    sum += out[i]!;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/** The k most probable classes, best first; ties keep the lower class index first (as argmax does). */
export function topK(logits: ArrayLike<number>, names: readonly string[], k = 5): Ranked[] {
  const p = softmax(logits);
  const order = Array.from(p.keys()).sort((a, b) => p[b]! - p[a]! || a - b);
  return order.slice(0, Math.min(k, order.length)).map((i) => ({
    index: i,
    label: names[i] ?? `class ${i}`,
    probability: p[i]!,
  }));
}

/** "87.3 %" with one decimal; tiny probabilities read "< 0.1 %" rather than "0.0 %". */
export function formatProbability(p: number): string {
  if (!Number.isFinite(p)) return '–';
  const pct = p * 100;
  return pct > 0 && pct < 0.05 ? '< 0.1 %' : `${pct.toFixed(1)} %`;
}

/** "12.3 ms" below a second, "1.23 s" above. */
export function formatLatency(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  return ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
