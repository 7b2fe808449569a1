/**
 * int8 CPU kernels: symmetric quantisation, and the (kt x 1) temporal convolution (a 1x1 conv or a
 * linear layer is the kt = 1, T = 1 case) with int8 x int8 products accumulated exactly in int32 and
 * requantised to float by x_scale * w_scale[o] plus the float bias. Plain loops, allocation-free.
 */

/** Round half away from zero, so that quantisation is odd-symmetric: q(-x) = -q(x). */
export function roundSym(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/** Symmetric per-tensor quantisation q = clamp(round(x / scale), -127, 127) into `out`. */
export function quantizeInto(out: Int8Array, x: ArrayLike<number>, scale: number): void {
  const inv = scale > 0 ? 1 / scale : 0;
  for (let i = 0; i < out.length; i++) {
    const q = roundSym(x[i]! * inv);
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
 * `acc` is an int32 scratch of at least Tout * V entries.
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
  const tout = Math.floor((t + 2 * pad - kt) / stride) + 1;
  const plane = tout * v;
  for (let ni = 0; ni < n; ni++) {
    const xBase = ni * cin * t * v;
    for (let o = 0; o < cout; o++) {
      acc.fill(0, 0, plane);
      for (let c = 0; c < cin; c++) {
        const wRow = (o * cin + c) * kt;
        const xc = xBase + c * t * v;
        for (let k = 0; k < kt; k++) {
          const w = wq[wRow + k]!;
          if (w === 0) continue;
          for (let to = 0; to < tout; to++) {
            const ti = to * stride + k - pad;
            if (ti < 0 || ti >= t) continue;
            const src = xc + ti * v;
            const dst = to * v;
            for (let j = 0; j < v; j++) acc[dst + j]! += w * xq[src + j]!;
          }
        }
      }
      const s = xScale * wScale[o]!;
      const b = bias === null ? 0 : bias[o]!;
      const oBase = (ni * cout + o) * plane;
      for (let j = 0; j < plane; j++) out[oBase + j] = acc[j]! * s + b;
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
  const tout = Math.floor((t + 2 * pad - kt) / stride) + 1;
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
