/**
 * Single-thread float32 kernels of the compiled inference plan. Each writes its whole output (no
 * zeroed buffer assumed) and allocates nothing. Layout of one sample: (C, T, V).
 */

/** out (cout, p) = bias[o] + W (cout, cin) x (cin, p). */
export function pointwise(
  out: Float32Array,
  x: Float32Array,
  xOff: number,
  w: Float32Array,
  bias: Float32Array,
  cin: number,
  cout: number,
  p: number,
): void {
  for (let o = 0; o < cout; o++) {
    const ob = o * p;
    out.fill(bias[o]!, ob, ob + p);
    for (let ci = 0; ci < cin; ci++) {
      const wv = w[o * cin + ci]!;
      if (wv === 0) continue;
      const xb = xOff + ci * p;
      for (let j = 0; j < p; j++) out[ob + j]! += wv * x[xb + j]!;
    }
  }
}

/**
 * Graph aggregation of `rows` rows of V: out[r, w] = sum_k sum_v x[k, r, v] A[k, v, w], where the K
 * inputs are `kStride` apart and A starts at aOff. Overwrites its rows of out (offsets, not subarrays,
 * so that nothing is allocated per call).
 */
export function aggregate(
  out: Float32Array,
  outOff: number,
  x: Float32Array,
  a: Float32Array,
  aOff: number,
  k: number,
  kStride: number,
  rows: number,
  v: number,
): void {
  out.fill(0, outOff, outOff + rows * v);
  for (let kk = 0; kk < k; kk++) {
    const ab = aOff + kk * v * v;
    for (let r = 0; r < rows; r++) {
      const xb = kk * kStride + r * v;
      const ob = outOff + r * v;
      for (let vi = 0; vi < v; vi++) {
        const xv = x[xb + vi]!;
        if (xv === 0) continue;
        const arow = ab + vi * v;
        for (let wi = 0; wi < v; wi++) out[ob + wi]! += xv * a[arow + wi]!;
      }
    }
  }
}

/** out = max(out + shift[c], 0) over (c, p). */
export function shiftRelu(out: Float32Array, shift: Float32Array, c: number, p: number): void {
  for (let ci = 0; ci < c; ci++) {
    const s = shift[ci]!;
    for (let j = ci * p; j < (ci + 1) * p; j++) {
      const y = out[j]! + s;
      out[j] = y > 0 ? y : 0;
    }
  }
}

export interface TconvGeom {
  cin: number;
  cout: number;
  t: number;
  tout: number;
  v: number;
  kt: number;
  stride: number;
  pad: number;
}

/**
 * (kt x 1) temporal convolution accumulated into `out` (cout, tout, v), which already holds the bias
 * and the residual; ReLU in the epilogue of every output channel while its row is in cache.
 */
export function tconvAccRelu(out: Float32Array, x: Float32Array, w: Float32Array, g: TconvGeom): void {
  const { cin, cout, t, tout, v, kt, stride, pad } = g;
  const plane = tout * v;
  for (let o = 0; o < cout; o++) {
    const ob = o * plane;
    for (let ci = 0; ci < cin; ci++) {
      const xb = ci * t * v;
      const wb = (o * cin + ci) * kt;
      for (let k = 0; k < kt; k++) {
        const wv = w[wb + k]!;
        if (wv === 0) continue;
        // Output frames whose input frame to*stride - pad + k lies inside [0, t).
        const to0 = Math.max(0, Math.ceil((pad - k) / stride));
        const to1 = Math.min(tout, Math.floor((t - 1 + pad - k) / stride) + 1);
        if (stride === 1) {
          const src = xb + (to0 - pad + k) * v;
          const dst = ob + to0 * v;
          const len = (to1 - to0) * v;
          for (let j = 0; j < len; j++) out[dst + j]! += wv * x[src + j]!;
        } else
          for (let to = to0; to < to1; to++) {
            const src = xb + (to * stride - pad + k) * v;
            const dst = ob + to * v;
            for (let j = 0; j < v; j++) out[dst + j]! += wv * x[src + j]!;
          }
      }
    }
    for (let j = ob; j < ob + plane; j++) if (out[j]! < 0) out[j] = 0;
  }
}

/** out (cout, tout, v) = bias + [identity x | R x strided]: the start of a block's output. */
export function residualInit(
  out: Float32Array,
  x: Float32Array,
  bias: Float32Array,
  r: Float32Array | null,
  identity: boolean,
  g: TconvGeom,
): void {
  const { cin, cout, t, tout, v, stride } = g;
  const plane = tout * v;
  for (let o = 0; o < cout; o++) {
    const ob = o * plane;
    const b = bias[o]!;
    if (identity) for (let j = 0; j < plane; j++) out[ob + j] = b + x[ob + j]!;
    else out.fill(b, ob, ob + plane);
    if (r === null) continue;
    for (let ci = 0; ci < cin; ci++) {
      const wv = r[o * cin + ci]!;
      if (wv === 0) continue;
      const xb = ci * t * v;
      for (let to = 0; to < tout; to++) {
        const src = xb + to * stride * v;
        const dst = ob + to * v;
        for (let j = 0; j < v; j++) out[dst + j]! += wv * x[src + j]!;
      }
    }
  }
}
