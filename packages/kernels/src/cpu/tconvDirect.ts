/**
 * Stride-1 temporal convolution on the WebAssembly direct kernel (wasm/directConv.ts): weights are
 * packed once per call, each sample is copied once into a zero-padded buffer in linear memory, and
 * its output leaves with one copy. Forward is conv(x, w, pad); backward-input is the same kernel on
 * dy with the flipped, transposed weights w'[ci, co, q] = w[co, ci, kt-1-q] and padding kt-1-pad.
 */
import type { TconvArgs } from '../types.js';
import { tconvOutLength } from '../types.js';
import { winogradConv } from './tconvWinograd.js';
import { gemmWasm } from './wasm/gemmF32.js';

/** Floats reserved at the start of linear memory for the kernel's edge-tile scratch. */
const EDGE_FLOATS = 256;
/**
 * Depth (channels x taps) per kernel call: as in the gemm's KC, a row panel's slice of the weights
 * (mr x 256 floats, 4 KiB) stays in L1 while the tiles stream; deeper products add into C.
 */
const DEPTH_BLOCK = 256;
const DIRECT_1X1_MAX_CHANNELS = 32;
const DIRECT_INPUT_GRAD_MAX_CHANNELS = 128;
const roundUp = (x: number, r: number) => Math.ceil(x / r) * r;

export interface DirectProblem {
  n: number;
  /** Output channels (rows of A). */
  m: number;
  /** Input channels. */
  c: number;
  /** Input length along time, and the joints. */
  t: number;
  v: number;
  kt: number;
  pad: number;
  /** Write A (m x c*kt, row-major) into dst at offset off. */
  stageWeights(dst: Float32Array, off: number): void;
  bias: Float32Array | null;
}

/** Copy sample ni of x (c channels of `len` floats) into padded rows of rowLen floats, `lead` floats in. */
export function stageSample(
  mem: Float32Array,
  off: number,
  x: Float32Array,
  ni: number,
  c: number,
  len: number,
  rowLen: number,
  lead: number,
): void {
  for (let ci = 0, s = ni * c * len; ci < c; ci++, s += len)
    mem.set(x.subarray(s, s + len), off + ci * rowLen + lead);
}

/** out (n, m, tOut, v) from x (n, c, t, v); false (nothing written) where wasm SIMD is unavailable. */
function directConv(out: Float32Array, x: Float32Array, d: DirectProblem): boolean {
  const { n, m, c, t, v, kt, pad } = d;
  // A 1x1 kernel over many channels runs faster as one gemm (its depth loop then has no inner tap
  // loop to pay for): 0.56-0.82x there against 1.1-2.5x below 32 channels (benchmarks/kernels/direct.mjs).
  if (kt === 1 && c >= DIRECT_1X1_MAX_CHANNELS) return false;
  const w = gemmWasm();
  if (!w) return false;
  const { mr, nr } = w.shape;
  const tOut = t + 2 * pad - kt + 1;
  const cols = tOut * v;
  const kdim = c * kt;
  const mPanels = Math.ceil(m / mr);
  const mPad = mPanels * mr;
  const rowLen = (t + 2 * pad) * v;
  const nTiles = Math.ceil(cols / nr);
  const nLast = cols - (nTiles - 1) * nr;
  // Linear memory (floats): edge scratch | packed A | padded input (+ nr slack for the last tile's
  // reads past the end) | C | staging for packing A.
  const aOff = EDGE_FLOATS;
  const xOff = aOff + mPad * kdim;
  const cOff = roundUp(xOff + c * rowLen + nr, 4);
  const sOff = cOff + mPad * cols;
  try {
    w.reserve(sOff + mPad * kdim);
  } catch {
    return false; // linear memory cannot grow: the caller's im2col path takes it
  }
  const mem = w.f32;
  d.stageWeights(mem, sOff);
  mem.fill(0, sOff + m * kdim, sOff + mPad * kdim);
  w.packColsA(sOff * 4, aOff * 4, mPanels, kdim, kdim * 4);
  // The padding stays zero for every sample: only the valid rows are rewritten.
  mem.fill(0, xOff, cOff);
  const chunk = Math.max(1, Math.floor(DEPTH_BLOCK / kt));
  const sampleOut = m * cols;
  for (let ni = 0; ni < n; ni++) {
    stageSample(mem, xOff, x, ni, c, t * v, rowLen, pad * v);
    const { bias } = d;
    if (bias) for (let co = 0; co < m; co++) mem.fill(bias[co]!, cOff + co * cols, cOff + (co + 1) * cols);
    for (let c0 = 0; c0 < c; c0 += chunk) {
      w.direct(
        (aOff + c0 * kt * mr) * 4,
        (xOff + c0 * rowLen) * 4,
        cOff * 4,
        mPanels,
        nTiles,
        Math.min(chunk, c - c0),
        kt,
        v * 4,
        rowLen * 4,
        kdim * mr * 4,
        cols * 4,
        bias || c0 > 0 ? 1 : 0,
        nLast,
        0,
      );
    }
    out.set(mem.subarray(cOff, cOff + sampleOut), ni * sampleOut);
  }
  return true;
}

/** Forward for stride 1; false when the caller must take another path. */
export function tconvForwardDirect(
  out: Float32Array,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  p: TconvArgs,
): boolean {
  if (p.stride !== 1) return false;
  const d: DirectProblem = {
    n: p.n,
    m: p.cout,
    c: p.cin,
    t: p.t,
    v: p.v,
    kt: p.kt,
    pad: p.pad,
    bias,
    stageWeights: (dst, off) => dst.set(w.subarray(0, p.cout * p.cin * p.kt), off),
  };
  return winogradConv(out, x, d) || directConv(out, x, d);
}

/** Backward-input for stride 1 and pad <= kt - 1 (the flipped kernel's padding); overwrites dx. */
export function tconvBackwardInputDirect(
  dx: Float32Array,
  dy: Float32Array,
  w: Float32Array,
  p: TconvArgs,
): boolean {
  const { cin, cout, kt, pad } = p;
  if (p.stride !== 1 || pad > kt - 1) return false;
  const d: DirectProblem = {
    n: p.n,
    m: cin,
    c: cout,
    t: tconvOutLength(p),
    v: p.v,
    kt,
    pad: kt - 1 - pad,
    bias: null,
    stageWeights(dst, off) {
      // A'[ci, co*kt + q] = w[co, ci, kt-1-q].
      for (let ci = 0; ci < cin; ci++)
        for (let co = 0; co < cout; co++) {
          const at = off + (ci * cout + co) * kt;
          const s = (co * cin + ci) * kt + kt - 1;
          for (let q = 0; q < kt; q++) dst[at + q] = w[s - q]!;
        }
    },
  };
  if (winogradConv(dx, dy, d)) return true;
  // From 128 output channels on, the per-tap gemms into dx were faster (0.83-0.97x at 256).
  return cout < DIRECT_INPUT_GRAD_MAX_CHANNELS && directConv(dx, dy, d);
}

/**
 * Weight gradient over samples [n0, n1) for stride 1, on the directWeight kernel: dW^T accumulates
 * over the samples in linear memory and is transposed into dw once. Overwrites dw; false when the
 * caller must take another path.
 */
export function tconvBackwardWeightDirect(
  dw: Float32Array,
  dy: Float32Array,
  x: Float32Array,
  p: TconvArgs,
  n0: number,
  n1: number,
): boolean {
  const { cin, cout, t, v, kt, pad } = p;
  if (p.stride !== 1 || n1 <= n0) return false;
  const w = gemmWasm();
  if (!w) return false;
  const { mr, nr } = w.shape;
  const tOut = tconvOutLength(p);
  const cols = tOut * v;
  const kdim = cin * kt;
  const mPanels = Math.ceil(kdim / mr);
  const kPad = mPanels * mr;
  const nPanels = Math.ceil(cout / nr);
  const coutPad = nPanels * nr;
  const rowLen = (t + 2 * pad) * v;
  // Linear memory (floats): edge scratch | row table (kPad int32) | padded input | staged dy
  // (coutPad rows) | packed dy^T | C = dW^T (kPad x cout).
  const tableOff = EDGE_FLOATS;
  const xOff = roundUp(tableOff + kPad, 4);
  const sOff = roundUp(xOff + cin * rowLen, 4);
  const bOff = sOff + coutPad * cols;
  const cOff = bOff + coutPad * cols;
  try {
    w.reserve(cOff + kPad * cout);
  } catch {
    return false;
  }
  const mem = w.f32;
  const table = new Int32Array(mem.buffer, tableOff * 4, kPad);
  for (let k = 0; k < kPad; k++) {
    // Padding rows (k >= kdim) read row 0: their C rows are never copied out.
    const kk = k < kdim ? k : 0;
    table[k] = (xOff + Math.floor(kk / kt) * rowLen + (kk % kt) * v) * 4;
  }
  mem.fill(0, xOff, sOff);
  mem.fill(0, sOff + cout * cols, bOff);
  const sampleOut = cout * cols;
  for (let ni = n0; ni < n1; ni++) {
    stageSample(mem, xOff, x, ni, cin, t * v, rowLen, pad * v);
    mem.set(dy.subarray(ni * sampleOut, (ni + 1) * sampleOut), sOff);
    w.packColsB(sOff * 4, bOff * 4, nPanels, cols, cols * 4);
    w.directWeight(
      tableOff * 4,
      bOff * 4,
      cOff * 4,
      mPanels,
      nPanels,
      cols,
      cout * 4,
      ni > n0 ? 1 : 0,
      cout - (nPanels - 1) * nr,
      0,
    );
  }
  for (let co = 0; co < cout; co++)
    for (let k = 0, d = co * kdim, s = cOff + co; k < kdim; k++, s += cout) dw[d + k] = mem[s]!;
  return true;
}
