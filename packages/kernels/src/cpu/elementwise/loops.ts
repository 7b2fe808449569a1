/**
 * The JS element-wise loops: the reference the WebAssembly module (../wasm/vector.ts) matches bit for bit,
 * and the path for float64 data or runtimes without WebAssembly SIMD.
 *
 * Batch norm works per channel over the runs x[(ni * C + ch) * inner + l]. Sums use four
 * float64 accumulators: one accumulator is a chain of dependent adds (latency-bound, ~4 cycles each);
 * four independent chains run ~3x faster and, in float64 over float32 data, differ from the single
 * chain only in the last bits of a float64.
 */
import type { ChannelRuns, FloatArray } from '../../types.js';

/** sum over the channel of (x - shift). */
export function channelSum(x: FloatArray, r: ChannelRuns, ch: number, shift: number): number {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  const { n, c, inner } = r;
  for (let ni = 0; ni < n; ni++) {
    const o = (ni * c + ch) * inner;
    const end = o + inner;
    let p = o;
    for (; p + 3 < end; p += 4) {
      a0 += x[p]! - shift;
      a1 += x[p + 1]! - shift;
      a2 += x[p + 2]! - shift;
      a3 += x[p + 3]! - shift;
    }
    for (; p < end; p++) a0 += x[p]! - shift;
  }
  return a0 + a1 + a2 + a3;
}

/** sum over the channel of (x - m)^2. */
export function channelSumSq(x: FloatArray, r: ChannelRuns, ch: number, m: number): number {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  const { n, c, inner } = r;
  for (let ni = 0; ni < n; ni++) {
    const o = (ni * c + ch) * inner;
    const end = o + inner;
    let p = o;
    for (; p + 3 < end; p += 4) {
      const d0 = x[p]! - m;
      const d1 = x[p + 1]! - m;
      const d2 = x[p + 2]! - m;
      const d3 = x[p + 3]! - m;
      a0 += d0 * d0;
      a1 += d1 * d1;
      a2 += d2 * d2;
      a3 += d3 * d3;
    }
    for (; p < end; p++) {
      const d = x[p]! - m;
      a0 += d * d;
    }
  }
  return a0 + a1 + a2 + a3;
}

/** [sum g, sum g (x - m)] over the channel, in one pass. */
export function channelGradSums(
  g: FloatArray,
  x: FloatArray,
  r: ChannelRuns,
  ch: number,
  m: number,
): [number, number] {
  let g0 = 0;
  let g1 = 0;
  let h0 = 0;
  let h1 = 0;
  const { n, c, inner } = r;
  for (let ni = 0; ni < n; ni++) {
    const o = (ni * c + ch) * inner;
    const end = o + inner;
    let p = o;
    for (; p + 1 < end; p += 2) {
      const a = g[p]!;
      const b = g[p + 1]!;
      g0 += a;
      g1 += b;
      h0 += a * (x[p]! - m);
      h1 += b * (x[p + 1]! - m);
    }
    for (; p < end; p++) {
      g0 += g[p]!;
      h0 += g[p]! * (x[p]! - m);
    }
  }
  return [g0 + g1, h0 + h1];
}

/** out = (x - m) * scale + shift over the channel. */
export function channelAffine(
  out: FloatArray,
  x: FloatArray,
  r: ChannelRuns,
  ch: number,
  m: number,
  scale: number,
  shift: number,
): void {
  const { n, c, inner } = r;
  for (let ni = 0; ni < n; ni++) {
    const o = (ni * c + ch) * inner;
    const end = o + inner;
    for (let p = o; p < end; p++) out[p] = (x[p]! - m) * scale + shift;
  }
}

/** out = relu(out) in place over the channel, on float32 bit patterns without a branch (as relu's fast path). */
export function channelRelu(out: FloatArray, r: ChannelRuns, ch: number): void {
  const { n, c, inner } = r;
  if (out instanceof Float32Array) {
    const bits = new Int32Array(out.buffer, out.byteOffset, out.length);
    for (let ni = 0; ni < n; ni++) {
      const o = (ni * c + ch) * inner;
      const end = o + inner;
      for (let p = o; p < end; p++) bits[p] = bits[p]! & -((bits[p]! - 1) >>> 0 < 0x7f800000);
    }
    return;
  }
  for (let ni = 0; ni < n; ni++) {
    const o = (ni * c + ch) * inner;
    const end = o + inner;
    // biome-ignore lint/complexity/useMathMinMax: Math.max would keep NaN; relu maps NaN to 0.
    for (let p = o; p < end; p++) out[p] = out[p]! > 0 ? out[p]! : 0;
  }
}

/** out = a * (g - b - (x - m) * k) over the channel (batchNorm's training-mode input gradient). */
export function channelGradInput(
  out: FloatArray,
  g: FloatArray,
  x: FloatArray,
  r: ChannelRuns,
  ch: number,
  coef: { a: number; b: number; m: number; k: number },
): void {
  const { a, b, m, k } = coef;
  const { n, c, inner } = r;
  for (let ni = 0; ni < n; ni++) {
    const o = (ni * c + ch) * inner;
    const end = o + inner;
    for (let p = o; p < end; p++) out[p] = a * (g[p]! - b - (x[p]! - m) * k);
  }
}

/**
 * out[i] = x[i] > 0 ? src[i] : +0. On float32 bit patterns without a branch: on random signs the branchy
 * loop mispredicts half the time and ran ~3x slower. x > 0 holds exactly for the bit patterns 1 .. 0x7f800000
 * (the smallest subnormal up to +Infinity), so -0, NaNs and negatives all give +0, as the comparison does.
 */
export function reluMaskLoop(out: FloatArray, src: FloatArray, x: FloatArray): void {
  const n = out.length;
  if (out instanceof Float32Array && src instanceof Float32Array && x instanceof Float32Array) {
    const o = new Int32Array(out.buffer, out.byteOffset, n);
    const s = new Int32Array(src.buffer, src.byteOffset, n);
    const b = new Int32Array(x.buffer, x.byteOffset, n);
    for (let i = 0; i < n; i++) o[i] = s[i]! & -((b[i]! - 1) >>> 0 < 0x7f800000);
    return;
  }
  for (let i = 0; i < n; i++) out[i] = x[i]! > 0 ? src[i]! : 0;
}

/** out = relu(a + b): the sum, then the mask in place. */
export function addReluLoop(out: FloatArray, a: FloatArray, b: FloatArray): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i]! + b[i]!;
  reluMaskLoop(out, out, out);
}

export function mulLoop(out: FloatArray, a: FloatArray, b: FloatArray): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i]! * b[i]!;
}
