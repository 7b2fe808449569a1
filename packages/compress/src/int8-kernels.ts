/**
 * int8 CPU kernels: symmetric quantisation, and the (kt x 1) temporal convolution (a 1x1 conv or a
 * linear layer is the kt = 1, T = 1 case) with int8 x int8 products accumulated exactly in int32 and
 * requantised to float by x_scale * w_scale[o] plus the float bias. Plain loops, allocation-free.
 */
import { tconvOutLength } from '@asma/kernels';

/** Round half away from zero, so that quantisation is odd-symmetric: q(-x) = -q(x). */
export function roundSym(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/** Round to nearest, ties to even (C's nearbyint, WebAssembly's f32x4.nearest); NaN stays NaN. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v); // ties up
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Symmetric per-tensor quantisation of activations, q = clamp(round(x * (1 / scale)), -127, 127) into
 * `out`, rounding ties to even as PyTorch's quantize_per_tensor does. The reciprocal and the product are
 * float32, so the WebAssembly SIMD quantiser of the compiled int8 plan (@asma/kernels'
 * quantizeInt8Input) gives the same integers. NaN quantises to 0.
 */
export function quantizeInto(out: Int8Array, x: ArrayLike<number>, scale: number): void {
  const inv = Math.fround(scale > 0 ? 1 / scale : 0);
  for (let i = 0; i < out.length; i++) {
    const q = roundHalfEven(Math.fround(x[i]! * inv));
    out[i] = q > 127 ? 127 : Math.max(q, -127);
  }
}

export interface QuantizedWeights {
  /** (cout, cin * kt) int8 weights. */
  q: Int8Array;
  /** One scale per output channel: w ≈ q * scale[o]. */
  scale: Float32Array;
}

/** Per-output-channel symmetric int8 weights: scale[o] = max |w[o, :]| / 127 (1 for an all-zero row). */
export function quantizeWeights(w: ArrayLike<number>, cout: number): QuantizedWeights {
  const per = w.length / cout;
  const q = new Int8Array(w.length);
  const scale = new Float32Array(cout);
  for (let o = 0; o < cout; o++) {
    let m = 0;
    for (let j = 0; j < per; j++) m = Math.max(m, Math.abs(w[o * per + j]!));
    const s = m > 0 ? m / 127 : 1;
    scale[o] = s;
    for (let j = 0; j < per; j++) {
      const v = roundSym(w[o * per + j]! / s);
      q[o * per + j] = v > 127 ? 127 : Math.max(v, -127);
    }
  }
  return { q, scale };
}

export interface Int8ConvArgs {
  n: number;
  cin: number;
  cout: number;
  t: number;
  v: number;
  kt: number;
  stride: number;
  pad: number;
}

/**
 * out (N, Cout, Tout, V) float = (sum_{c,k} wq[o,c,k] * xq[n,c,t*s+k-pad,v]) * xScale * wScale[o] + bias[o].
 * Four output channels share each pass over the input (four int32 accumulator rows). `acc` is an int32
 * scratch of at least 4 * Tout * V entries.
 */
export function int8Conv(
  out: Float32Array,
  xq: Int8Array,
  xScale: number,
  wq: Int8Array,
  wScale: Float32Array,
  bias: Float32Array | null,
  a: Int8ConvArgs,
  acc: Int32Array,
): void {
  const { n, cin, cout, t, v, kt, stride, pad } = a;
  const tout = tconvOutLength(a);
  const plane = tout * v;
  const p1 = plane;
  const p2 = 2 * plane;
  const p3 = 3 * plane;
  for (let ni = 0; ni < n; ni++) {
    const xBase = ni * cin * t * v;
    for (let o0 = 0; o0 < cout; o0 += 4) {
      const ob = Math.min(4, cout - o0);
      acc.fill(0, 0, 4 * plane);
      for (let c = 0; c < cin; c++) {
        const xc = xBase + c * t * v;
        for (let k = 0; k < kt; k++) {
          const w0 = wq[(o0 * cin + c) * kt + k]!;
          const w1 = ob > 1 ? wq[((o0 + 1) * cin + c) * kt + k]! : 0;
          const w2 = ob > 2 ? wq[((o0 + 2) * cin + c) * kt + k]! : 0;
          const w3 = ob > 3 ? wq[((o0 + 3) * cin + c) * kt + k]! : 0;
          if (w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0) continue;
          // Output frames whose input frame to * stride + k - pad lies inside the clip.
          const to0 = Math.max(0, Math.ceil((pad - k) / stride));
          const to1 = Math.min(tout, Math.floor((t - 1 + pad - k) / stride) + 1);
          if (to1 <= to0) continue;
          if (stride === 1) {
            // One contiguous run of (to1 - to0) * V values: a single long inner loop.
            const src = xc + (k - pad) * v;
            for (let j = to0 * v; j < to1 * v; j++) {
              const x = xq[src + j]!;
              acc[j] = (acc[j]! + Math.imul(w0, x)) | 0;
              acc[p1 + j] = (acc[p1 + j]! + Math.imul(w1, x)) | 0;
              acc[p2 + j] = (acc[p2 + j]! + Math.imul(w2, x)) | 0;
              acc[p3 + j] = (acc[p3 + j]! + Math.imul(w3, x)) | 0;
            }
          } else
            for (let to = to0; to < to1; to++) {
              const src = xc + (to * stride + k - pad) * v - to * v;
              for (let j = to * v; j < (to + 1) * v; j++) {
                const x = xq[src + j]!;
                acc[j] = (acc[j]! + Math.imul(w0, x)) | 0;
                acc[p1 + j] = (acc[p1 + j]! + Math.imul(w1, x)) | 0;
                acc[p2 + j] = (acc[p2 + j]! + Math.imul(w2, x)) | 0;
                acc[p3 + j] = (acc[p3 + j]! + Math.imul(w3, x)) | 0;
              }
            }
        }
      }
      for (let r = 0; r < ob; r++) {
        const o = o0 + r;
        const sc = xScale * wScale[o]!;
        const b = bias === null ? 0 : bias[o]!;
        const oBase = (ni * cout + o) * plane;
        for (let j = 0; j < plane; j++) out[oBase + j] = acc[r * plane + j]! * sc + b;
      }
    }
  }
}

/** The same convolution in float (for the folded float reference and for calibration). */
export function floatConv(
  out: Float32Array,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  a: Int8ConvArgs,
): void {
  const { n, cin, cout, t, v, kt, stride, pad } = a;
  const tout = tconvOutLength(a);
  const plane = tout * v;
  for (let ni = 0; ni < n; ni++)
    for (let o = 0; o < cout; o++) {
      const oBase = (ni * cout + o) * plane;
      out.fill(bias === null ? 0 : bias[o]!, oBase, oBase + plane);
      for (let c = 0; c < cin; c++)
        for (let k = 0; k < kt; k++) {
          const wv = w[(o * cin + c) * kt + k]!;
          if (wv === 0) continue;
          for (let to = 0; to < tout; to++) {
            const ti = to * stride + k - pad;
            if (ti < 0 || ti >= t) continue;
            const src = ((ni * cin + c) * t + ti) * v;
            for (let j = 0; j < v; j++) out[oBase + to * v + j]! += wv * x[src + j]!;
          }
        }
    }
}
