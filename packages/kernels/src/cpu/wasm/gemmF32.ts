/**
 * The float32 gemm on the WebAssembly SIMD kernel: the same contract as `gemm` (strided views,
 * accumulate), Goto-blocked like the JS path, but A and B are packed as float32 into wasm linear
 * memory and the product accumulates in float32 f32x4 lanes into a padded C buffer there, which is
 * then copied (or added) into `c`. Memory is grow-only: no allocation per call once warm.
 */
import { type GemmWasm, instantiateGemmWasm } from './instance.js';
import type { KernelShape } from './kernel.js';

/** Depth of a packed block: an MR x KC panel of A and a KC x NR panel of B (12 KiB) stay in L1. */
const KC = 256;
/** Rows of A packed at once (MC x KC floats = 128 KiB, inside L2). */
const MC = 128;
/** Columns of B packed at once (KC x NC floats = 1 MiB). */
const NC = 1024;

// Linear memory layout, in floats: edge tile scratch, packed A, packed B, staging, then C.
const EDGE_OFF = 0;
const A_OFF = 256;
const B_OFF = A_OFF + MC * KC;
const S_OFF = B_OFF + KC * NC;
const C_OFF = S_OFF + KC * NC;
/** Runs shorter than this are copied by a JS loop: `set(subarray)` has a fixed cost per call. */
const SET_MIN = 48;
/** Taller products run in row chunks, bounding the C buffer (k > KC keeps all rows) to 16 MiB. */
const M_CHUNK = 4096;

let wasm: GemmWasm | null | undefined;

/**
 * Compile the kernels with exactly this shape (kernel workers adopt the calling thread's); throws
 * where this runtime cannot run it.
 */
export function adoptWasmShape(shape: KernelShape): void {
  const cur = wasm?.shape;
  if (cur && cur.fma === shape.fma && cur.mr === shape.mr && cur.nr === shape.nr) return;
  const w = instantiateGemmWasm(shape);
  if (w === null) throw new Error('WebAssembly SIMD is not available in this thread');
  wasm = w;
}

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
  const oneBlock = k <= KC;
  if (m > M_CHUNK && !oneBlock) {
    for (let i = 0; i < m; i += M_CHUNK) {
      const rows = Math.min(M_CHUNK, m - i);
      const ok = gemmF32(
        rows,
        n,
        k,
        a,
        offA + i * rsA,
        rsA,
        csA,
        b,
        offB,
        rsB,
        csB,
        c,
        offC + i * ldc,
        ldc,
        accumulate,
      );
      // Every chunk needs the same memory: only the first can fail, before anything is written.
      if (!ok) return false;
    }
    return true;
  }
  // With one depth block, each row block of C is copied out while hot, so C needs only MC rows.
  try {
    w.reserve(C_OFF + (oneBlock ? Math.min(MC, roundUp(m, mr)) : roundUp(m, mr)) * Math.min(n, NC));
  } catch {
    return false; // linear memory cannot grow (address space, 4 GiB cap): the JS path takes it
  }
  const mem = w.f32;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    const nPanels = Math.ceil(nc / nr);
    const nLast = nc - (nPanels - 1) * nr;
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      const last = pc + kc >= k;
      packB(w, b, offB + pc * rsB + jc * csB, rsB, csB, kc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        // C rows in linear memory are exactly nc wide: only the last panel's tile is clipped.
        const cBuf = C_OFF + (oneBlock ? 0 : ic * nc);
        const cOut = offC + ic * ldc + jc;
        if (pc === 0 && accumulate) copyBlock(mem, cBuf, nc, c, cOut, ldc, mc, nc);
        packA(w, a, offA + ic * rsA + pc * csA, rsA, csA, mc, kc);
        const add = accumulate || pc > 0 ? 1 : 0;
        w.macro(
          A_OFF * 4,
          B_OFF * 4,
          cBuf * 4,
          Math.ceil(mc / mr),
          nPanels,
          kc,
          nc * 4,
          add,
          nLast,
          EDGE_OFF * 4,
        );
        if (last) copyBlock(c, cOut, ldc, mem, cBuf, nc, mc, nc);
      }
    }
  }
  return true;
}

/** dst[d + i*ldd + j] = src[s + i*lds + j] for an rows x cols block: one memcpy when both are dense. */
function copyBlock(
  dst: Float32Array,
  d: number,
  ldd: number,
  src: Float32Array,
  s: number,
  lds: number,
  rows: number,
  cols: number,
): void {
  if (ldd === cols && lds === cols) copyRun(dst, d, src, s, rows * cols);
  else for (let i = 0; i < rows; i++) copyRun(dst, d + i * ldd, src, s + i * lds, cols);
}

function copyRun(dst: Float32Array, d: number, src: Float32Array, s: number, len: number): void {
  if (len >= SET_MIN) dst.set(src.subarray(s, s + len), d);
  else for (let j = 0; j < len; j++) dst[d + j] = src[s + j];
}

/**
 * Pack an mc x kc block of A (A[i, q] = a[off + i*rs + q*cs]) into row panels of mr at A_OFF. A unit
 * stride either way is staged with memcpy runs and packed in wasm; other strides pack in JS.
 */
function packA(
  w: GemmWasm,
  a: Float32Array,
  off: number,
  rs: number,
  cs: number,
  mc: number,
  kc: number,
): void {
  const mr = w.shape.mr;
  const mcPad = roundUp(mc, mr);
  const mem = w.f32;
  if (cs === 1) {
    // Rows of A are contiguous: stage them as mcPad rows of kc (zero rows below) and transpose-pack.
    copyBlock(mem, S_OFF, kc, a, off, rs, mc, kc);
    mem.fill(0, S_OFF + mc * kc, S_OFF + mcPad * kc);
    w.packColsA(S_OFF * 4, A_OFF * 4, mcPad / mr, kc, kc * 4);
  } else if (rs === 1) {
    // Columns of A are contiguous: stage them as kc rows of mc and copy-pack. The last panel reads
    // past a row's end into the next row: those values land only in padding rows of C, never copied out.
    copyBlock(mem, S_OFF, mc, a, off, cs, kc, mc);
    w.packRowsA(S_OFF * 4, A_OFF * 4, mcPad / mr, kc, mc * 4);
  } else packPanelsA(mem, A_OFF, mr, a, off, rs, cs, mc, kc);
}

/** Pack a kc x nc block of B (B[q, j] = b[off + q*rs + j*cs]) into column panels of nr at B_OFF. */
function packB(
  w: GemmWasm,
  b: Float32Array,
  off: number,
  rs: number,
  cs: number,
  kc: number,
  nc: number,
): void {
  const nr = w.shape.nr;
  const ncPad = roundUp(nc, nr);
  const mem = w.f32;
  if (cs === 1) {
    // As in packA: overreads past a row's end only reach the clipped columns of the last panel.
    copyBlock(mem, S_OFF, nc, b, off, rs, kc, nc);
    w.packRowsB(S_OFF * 4, B_OFF * 4, ncPad / nr, kc, nc * 4);
  } else if (rs === 1) {
    copyBlock(mem, S_OFF, kc, b, off, cs, nc, kc);
    mem.fill(0, S_OFF + nc * kc, S_OFF + ncPad * kc);
    w.packColsB(S_OFF * 4, B_OFF * 4, ncPad / nr, kc, kc * 4);
  } else packPanelsB(mem, B_OFF, nr, b, off, rs, cs, kc, nc);
}

/** JS packing when neither stride of A is 1: panel p holds [q][r] = A[p*mr + r, q], zero-padded. */
function packPanelsA(
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
    for (let r = 0; r < rows; r++)
      for (let q = 0, d = panel + r, p = base + r * rs; q < kc; q++, d += mr, p += cs) dst[d] = a[p];
    for (let r = rows; r < mr; r++) for (let q = 0, d = panel + r; q < kc; q++, d += mr) dst[d] = 0;
  }
}

/** JS packing when neither stride of B is 1: panel p holds [q][c] = B[q, p*nr + c], zero-padded. */
function packPanelsB(
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
    for (let c = 0; c < cols; c++)
      for (let q = 0, d = panel + c, p = base + c * cs; q < kc; q++, d += nr, p += rs) dst[d] = b[p];
    for (let c = cols; c < nr; c++) for (let q = 0, d = panel + c; q < kc; q++, d += nr) dst[d] = 0;
  }
}
