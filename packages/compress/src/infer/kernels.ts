/**
 * Element-wise epilogues of the compiled inference plan (the products run in
 * @asma/kernels' gemm and direct convolution, WebAssembly SIMD where available). Each writes its whole
 * output (no zeroed buffer assumed) and allocates nothing. Layout of one sample: (C, T, V).
 */

/** out[r, :p] = bias[r] for r < rows. */
export function fillRows(out: Float32Array, bias: Float32Array, rows: number, p: number): void {
  for (let r = 0; r < rows; r++) out.fill(bias[r]!, r * p, (r + 1) * p);
}

// ReLU as `y < 0 ? 0 : y`: ~10% faster than Math.max in V8 (measured), and unlike `y > 0 ? y : 0`
// it keeps NaN.

/** out = max(out + x, 0) over n values: the residual add and the block's output ReLU. */
export function addRelu(out: Float32Array, x: Float32Array, n: number): void {
  for (let j = 0; j < n; j++) {
    const y = out[j]! + x[j]!;
    // biome-ignore lint/complexity/useMathMinMax: ~10% faster than Math.max in V8 (measured); both keep NaN
    out[j] = y < 0 ? 0 : y;
  }
}

/** out = max(out, 0) over n values (a block without residual). */
export function relu(out: Float32Array, n: number): void {
  for (let j = 0; j < n; j++) if (out[j]! < 0) out[j] = 0;
}

/** out[c, t, w] = max(out[c, t, w] + shift[c, w], 0) over (c, p = T*V). */
export function shiftJointRelu(
  out: Float32Array,
  shift: Float32Array,
  c: number,
  p: number,
  v: number,
): void {
  for (let ci = 0; ci < c; ci++)
    for (let j = 0; j < p; j += v) {
      const o = ci * p + j;
      const sb = ci * v;
      for (let w = 0; w < v; w++) {
        const y = out[o + w]! + shift[sb + w]!;
        // biome-ignore lint/complexity/useMathMinMax: ~10% faster than Math.max in V8 (measured); both keep NaN
        out[o + w] = y < 0 ? 0 : y;
      }
    }
}

/** out = max(out + shift[c], 0) over (c, p). */
export function shiftRelu(out: Float32Array, shift: Float32Array, c: number, p: number): void {
  for (let ci = 0; ci < c; ci++) {
    const s = shift[ci]!;
    for (let j = ci * p; j < (ci + 1) * p; j++) {
      const y = out[j]! + s;
      // biome-ignore lint/complexity/useMathMinMax: ~10% faster than Math.max in V8 (measured); both keep NaN
      out[j] = y < 0 ? 0 : y;
    }
  }
}
