/**
 * The one fast matrix product everything else is built on: C (m x n) (+)= A (m x k) @ B (k x n),
 * where each operand is addressed by (offset, row stride, column stride), so transposes and shifted
 * views cost nothing. Goto-style: blocks of A and B are packed into float64 panels (exact for float32
 * and float64 inputs, and the micro-kernel then reads a single array type), and a 4x4 micro-kernel
 * keeps its 16 accumulators in locals. Scratch panels come from grow-only pools: no allocation once warm.
 *
 * When A, B and C are all Float32Array and the product is big enough to pay for the copies, `gemm`
 * hands it to the WebAssembly SIMD kernel (./wasm/gemmF32.ts), which accumulates in float32; float64
 * storage (gradient checks) always takes the JS path here.
 */

import { type GemmPath, runtimeOptions, setRuntimeOptions } from '../runtime/options.js';
import type { FloatArray } from '../types.js';
import { gemmF32, gemmWasm } from './wasm/gemmF32.js';

export type { GemmPath };

/**
 * Below this many multiply-adds (m*n*k) the JS kernel may win: the wasm path's fixed cost (staging
 * into linear memory, copying C out, the calls; 0.2-0.6 us) is not repaid. Two runs of
 * benchmarks/kernels/crossover.mjs on a loaded machine: wasm 0.5-0.7x the JS speed at 2^3-4^3,
 * 0.8-1.8x at 5^3-8^3 (noise decides), 2.2-2.7x at 12^3 and 4-7x from 16^3 on.
 */
export const WASM_MIN_MACS = 1024;

/** Choose how float32 products run (tests force 'wasm' or 'js'; benchmarks compare them); returns the previous path. */
export function setGemmPath(p: GemmPath): GemmPath {
  return setRuntimeOptions({ gemm: p }).gemm;
}

/** Whether float32 kernels may use WebAssembly now (not forced onto the JS path). */
export function wasmAllowed(): boolean {
  return runtimeOptions().gemm !== 'js';
}

/** Whether the WebAssembly kernels multiply-add with relaxed SIMD's fused instruction (compiles them on first call). */
export function wasmFma(): boolean {
  return gemmWasm()?.shape.fma === true;
}

/** Whether this runtime runs the WebAssembly SIMD gemm (compiles it on first call). */
export function wasmSimdAvailable(): boolean {
  return gemmWasm() !== null;
}

const MR = 4;
const NR = 4;
/** Depth of a packed block: a 4 x KC panel of A plus a KC x 4 panel of B stay in L1. */
const KC = 256;
/** Rows of A packed at once (MC x KC doubles = 256 KiB, L2-sized). */
const MC = 128;
/** Columns of B packed at once. */
const NC = 1024;

const packA = new Float64Array(MC * KC);
const packB = new Float64Array(KC * NC);

/** A strided 2-D view into a flat array. */
export interface View {
  data: FloatArray;
  off: number;
  /** Elements between consecutive rows. */
  rs: number;
  /** Elements between consecutive columns. */
  cs: number;
}

/**
 * C[i, j] (+)= sum_q A[i, q] B[q, j] with A = a[offA + i*rsA + q*csA], B = b[offB + q*rsB + j*csB],
 * C = c[offC + i*ldc + j] (rows of C contiguous). With accumulate false, C is overwritten (k = 0 zeroes it).
 */
export function gemm(
  m: number,
  n: number,
  k: number,
  a: FloatArray,
  offA: number,
  rsA: number,
  csA: number,
  b: FloatArray,
  offB: number,
  rsB: number,
  csB: number,
  c: FloatArray,
  offC: number,
  ldc: number,
  accumulate: boolean,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) for (let i = 0; i < m; i++) c.fill(0, offC + i * ldc, offC + i * ldc + n);
    return;
  }
  const path = runtimeOptions().gemm;
  if (
    path !== 'js' &&
    c instanceof Float32Array &&
    a instanceof Float32Array &&
    b instanceof Float32Array &&
    (path === 'wasm' || m * n * k >= WASM_MIN_MACS) &&
    gemmF32(m, n, k, a, offA, rsA, csA, b, offB, rsB, csB, c, offC, ldc, accumulate)
  )
    return;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packPanelsB(packB, b, offB + pc * rsB + jc * csB, rsB, csB, kc, nc);
      // The first depth block writes (or adds, when accumulating); later blocks always add.
      const add = accumulate || pc > 0;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packPanelsA(packA, a, offA + ic * rsA + pc * csA, rsA, csA, mc, kc);
        macroKernel(mc, nc, kc, c, offC + ic * ldc + jc, ldc, add);
      }
    }
  }
}

/** Pack an mc x kc block of A into row panels of MR: panel p holds [q][r] = A[p*MR + r, q], zero-padded. */
function packPanelsA(
  dst: Float64Array,
  a: FloatArray,
  off: number,
  rs: number,
  cs: number,
  mc: number,
  kc: number,
) {
  let d = 0;
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const rows = Math.min(MR, mc - i0);
    const base = off + i0 * rs;
    if (rows === MR) {
      let p0 = base;
      let p1 = base + rs;
      let p2 = base + 2 * rs;
      let p3 = base + 3 * rs;
      for (let q = 0; q < kc; q++) {
        dst[d] = a[p0];
        dst[d + 1] = a[p1];
        dst[d + 2] = a[p2];
        dst[d + 3] = a[p3];
        d += MR;
        p0 += cs;
        p1 += cs;
        p2 += cs;
        p3 += cs;
      }
    } else {
      for (let q = 0; q < kc; q++) {
        for (let r = 0; r < MR; r++) dst[d + r] = r < rows ? a[base + r * rs + q * cs] : 0;
        d += MR;
      }
    }
  }
}

/** Pack a kc x nc block of B into column panels of NR: panel p holds [q][r] = B[q, p*NR + r], zero-padded. */
function packPanelsB(
  dst: Float64Array,
  b: FloatArray,
  off: number,
  rs: number,
  cs: number,
  kc: number,
  nc: number,
) {
  let d = 0;
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const cols = Math.min(NR, nc - j0);
    const base = off + j0 * cs;
    if (cols === NR) {
      let p = base;
      for (let q = 0; q < kc; q++) {
        dst[d] = b[p];
        dst[d + 1] = b[p + cs];
        dst[d + 2] = b[p + 2 * cs];
        dst[d + 3] = b[p + 3 * cs];
        d += NR;
        p += rs;
      }
    } else {
      for (let q = 0; q < kc; q++) {
        for (let r = 0; r < NR; r++) dst[d + r] = r < cols ? b[base + q * rs + r * cs] : 0;
        d += NR;
      }
    }
  }
}

function macroKernel(
  mc: number,
  nc: number,
  kc: number,
  c: FloatArray,
  offC: number,
  ldc: number,
  add: boolean,
) {
  const pa = packA;
  const pb = packB;
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const cols = Math.min(NR, nc - j0);
    const bBase = j0 * kc;
    for (let i0 = 0; i0 < mc; i0 += MR) {
      const rows = Math.min(MR, mc - i0);
      let ai = i0 * kc;
      let bi = bBase;
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0;
      let c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0;
      let c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      for (let q = 0; q < kc; q++) {
        const a0 = pa[ai],
          a1 = pa[ai + 1],
          a2 = pa[ai + 2],
          a3 = pa[ai + 3];
        const b0 = pb[bi],
          b1 = pb[bi + 1],
          b2 = pb[bi + 2],
          b3 = pb[bi + 3];
        c00 += a0 * b0;
        c01 += a0 * b1;
        c02 += a0 * b2;
        c03 += a0 * b3;
        c10 += a1 * b0;
        c11 += a1 * b1;
        c12 += a1 * b2;
        c13 += a1 * b3;
        c20 += a2 * b0;
        c21 += a2 * b1;
        c22 += a2 * b2;
        c23 += a2 * b3;
        c30 += a3 * b0;
        c31 += a3 * b1;
        c32 += a3 * b2;
        c33 += a3 * b3;
        ai += MR;
        bi += NR;
      }
      const o = offC + i0 * ldc + j0;
      if (rows === MR && cols === NR) {
        store4(c, o, add, c00, c01, c02, c03);
        store4(c, o + ldc, add, c10, c11, c12, c13);
        store4(c, o + 2 * ldc, add, c20, c21, c22, c23);
        store4(c, o + 3 * ldc, add, c30, c31, c32, c33);
      } else {
        storeEdge(c, o, cols, add, c00, c01, c02, c03);
        if (rows > 1) storeEdge(c, o + ldc, cols, add, c10, c11, c12, c13);
        if (rows > 2) storeEdge(c, o + 2 * ldc, cols, add, c20, c21, c22, c23);
        if (rows > 3) storeEdge(c, o + 3 * ldc, cols, add, c30, c31, c32, c33);
      }
    }
  }
}

function store4(c: FloatArray, o: number, add: boolean, v0: number, v1: number, v2: number, v3: number) {
  if (add) {
    c[o] += v0;
    c[o + 1] += v1;
    c[o + 2] += v2;
    c[o + 3] += v3;
  } else {
    c[o] = v0;
    c[o + 1] = v1;
    c[o + 2] = v2;
    c[o + 3] = v3;
  }
}

function storeEdge(
  c: FloatArray,
  o: number,
  cols: number,
  add: boolean,
  v0: number,
  v1: number,
  v2: number,
  v3: number,
) {
  if (add) {
    c[o] += v0;
    if (cols > 1) c[o + 1] += v1;
    if (cols > 2) c[o + 2] += v2;
    if (cols > 3) c[o + 3] += v3;
  } else {
    c[o] = v0;
    if (cols > 1) c[o + 1] = v1;
    if (cols > 2) c[o + 2] = v2;
    if (cols > 3) c[o + 3] = v3;
  }
}

/** Grow-only scratch of at least `size` doubles for callers that need a temporary (im2col, ...). */
const scratchPool: Float64Array[] = [];
export function scratch(slot: number, size: number): Float64Array {
  let s = scratchPool[slot];
  if (!s || s.length < size) {
    s = new Float64Array(Math.max(size, s ? s.length * 2 : 0));
    scratchPool[slot] = s;
  }
  return s;
}

const scratchPool32: Float32Array[] = [];
/**
 * Scratch of the same element type as `like`: a temporary derived from float32 tensors stays float32
 * (exact for im2col copies), so the products over it take the float32 (wasm) gemm path.
 */
export function scratchLike(slot: number, size: number, like: FloatArray): FloatArray {
  if (!(like instanceof Float32Array)) return scratch(slot, size);
  let s = scratchPool32[slot];
  if (!s || s.length < size) {
    s = new Float32Array(Math.max(size, s ? s.length * 2 : 0));
    scratchPool32[slot] = s;
  }
  return s;
}
