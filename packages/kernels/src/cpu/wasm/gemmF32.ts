/**
 * The float32 gemm on the WebAssembly SIMD kernel: the same contract as `gemm` (strided views,
 * accumulate), Goto-blocked like the JS path, but A and B are packed as float32 into wasm linear
 * memory and the product accumulates in float32 f32x4 lanes into a padded C buffer there, which is
 * then copied (or added) into `c`. Memory is grow-only: no allocation per call once warm.
 */
import { type GemmWasm, instantiateGemmWasm } from './instance.js';

/** Depth of a packed block: an MR x KC panel of A and a KC x NR panel of B (12 KiB) stay in L1. */
const KC = 256;
/** Rows of A packed at once (MC x KC floats = 128 KiB, inside L2). */
const MC = 128;
/** Columns of B packed at once (KC x NC floats = 1 MiB). */
const NC = 1024;

const A_OFF = 0;
const B_OFF = MC * KC;
const C_OFF = B_OFF + KC * NC;

let wasm: GemmWasm | null | undefined;

/** The compiled kernel, or null where WebAssembly SIMD is unavailable (compiled on first use). */
export function gemmWasm(): GemmWasm | null {
  if (wasm === undefined) wasm = instantiateGemmWasm();
  return wasm;
}

const roundUp = (x: number, r: number) => Math.ceil(x / r) * r;

/** C (+)= A @ B in float32 on the wasm kernel; false (nothing written) where wasm SIMD is unavailable. */
export function gemmF32(
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  offA: number,
  rsA: number,
  csA: number,
  b: Float32Array,
  offB: number,
  rsB: number,
  csB: number,
  c: Float32Array,
  offC: number,
  ldc: number,
  accumulate: boolean,
): boolean {
  const w = gemmWasm();
  if (!w) return false;
  const { mr, nr } = w.shape;
  const ncMax = roundUp(Math.min(n, NC), nr);
  // With one depth block, each row block of C is copied out while hot, so C needs only MC rows.
  const oneBlock = k <= KC;
  w.reserve(C_OFF + (oneBlock ? MC : roundUp(m, mr)) * ncMax);
  const mem = w.f32;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    const ldw = roundUp(nc, nr);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      const last = pc + kc >= k;
      packB(mem, B_OFF, nr, b, offB + pc * rsB + jc * csB, rsB, csB, kc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        const cBuf = C_OFF + (oneBlock ? 0 : ic * ldw);
        packA(mem, A_OFF, mr, a, offA + ic * rsA + pc * csA, rsA, csA, mc, kc);
        w.macro(A_OFF * 4, B_OFF * 4, cBuf * 4, Math.ceil(mc / mr), ldw / nr, kc, ldw * 4, pc > 0 ? 1 : 0);
        if (last) copyOut(c, offC + ic * ldc + jc, ldc, mem, cBuf, ldw, mc, nc, accumulate);
      }
    }
  }
  return true;
}

/** Pack an mc x kc block of A into row panels of mr: panel p holds [q][r] = A[p*mr + r, q], zero-padded. */
function packA(
  dst: Float32Array,
  d0: number,
  mr: number,
  a: Float32Array,
  off: number,
  rs: number,
  cs: number,
  mc: number,
  kc: number,
): void {
  for (let i0 = 0; i0 < mc; i0 += mr) {
    const rows = Math.min(mr, mc - i0);
    const panel = d0 + i0 * kc;
    const base = off + i0 * rs;
    if (rs === 1) {
      // Transposed A: the rows of a panel are adjacent in memory, so walk q outside.
      for (let q = 0, d = panel, p = base; q < kc; q++, d += mr, p += cs)
        for (let r = 0; r < rows; r++) dst[d + r] = a[p + r];
    } else {
      for (let r = 0; r < rows; r++)
        for (let q = 0, d = panel + r, p = base + r * rs; q < kc; q++, d += mr, p += cs) dst[d] = a[p];
    }
    for (let r = rows; r < mr; r++) for (let q = 0, d = panel + r; q < kc; q++, d += mr) dst[d] = 0;
  }
}

/** Pack a kc x nc block of B into column panels of nr: panel p holds [q][c] = B[q, p*nr + c], zero-padded. */
function packB(
  dst: Float32Array,
  d0: number,
  nr: number,
  b: Float32Array,
  off: number,
  rs: number,
  cs: number,
  kc: number,
  nc: number,
): void {
  for (let j0 = 0; j0 < nc; j0 += nr) {
    const cols = Math.min(nr, nc - j0);
    const panel = d0 + j0 * kc;
    const base = off + j0 * cs;
    if (cs === 1) {
      // Row-major B: a panel row is nr adjacent floats.
      for (let q = 0, d = panel, p = base; q < kc; q++, d += nr, p += rs)
        for (let c = 0; c < cols; c++) dst[d + c] = b[p + c];
    } else {
      for (let c = 0; c < cols; c++)
        for (let q = 0, d = panel + c, p = base + c * cs; q < kc; q++, d += nr, p += rs) dst[d] = b[p];
    }
    for (let c = cols; c < nr; c++) for (let q = 0, d = panel + c; q < kc; q++, d += nr) dst[d] = 0;
  }
}

/** Copy (or add) the valid mc x nc part of the padded C buffer into c. */
function copyOut(
  c: Float32Array,
  off: number,
  ldc: number,
  src: Float32Array,
  s0: number,
  lds: number,
  mc: number,
  nc: number,
  accumulate: boolean,
): void {
  for (let i = 0; i < mc; i++) {
    const d = off + i * ldc;
    const s = s0 + i * lds;
    if (accumulate) for (let j = 0; j < nc; j++) c[d + j] += src[s + j];
    else for (let j = 0; j < nc; j++) c[d + j] = src[s + j];
  }
}
