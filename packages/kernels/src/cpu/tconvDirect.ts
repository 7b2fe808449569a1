/**
 * Temporal convolution on the WebAssembly direct kernel (wasm/directConv.ts): weights are packed once
 * per call, each sample is copied once into a zero-padded buffer in linear memory, and its output
 * leaves with one copy. Forward is conv(x, w, pad) (a stride s as s phase convolutions); backward-input
 * is the same kernel on dy with the flipped, transposed weights w'[ci, co, q] = w[co, ci, kt-1-q] and
 * padding kt-1-pad (per phase for a stride); the weight gradient runs on directWeight. Large stride-1
 * problems go to Winograd (tconvWinograd.ts) first.
 */
import type { TconvArgs } from '../types.js';
import { tconvOutLength } from '../types.js';
import { DEPTH_BLOCK, type DirectProblem, EDGE_FLOATS, roundUp, stageSample } from './directCommon.js';
import { winogradConv, winogradWeightGrad } from './tconvWinograd.js';
import { gemmWasm } from './wasm/gemmF32.js';

const DIRECT_1X1_MAX_CHANNELS = 32;
const DIRECT_INPUT_GRAD_MAX_CHANNELS = 128;
/**
 * Strided backward-input by phases computes the padding rows too and scatters rows back: 1.86x at 32
 * channels (T = 50, stride 2), level at 64 (benchmarks/kernels/strided.mjs).
 */
const STRIDED_INPUT_GRAD_MAX_CHANNELS = 64;

/**
 * out (n, m, tOut, v) from x (n, c, t, v); false (nothing written) where wasm SIMD is unavailable.
 * Stride s > 1 splits into s stride-1 convolutions that add into C: phase ph takes the padded rows
 * s r + ph and the taps q = ph, ph + s, ... (y[t] = sum_q w[q] xp[s t + q]), so the kernel never
 * steps over skipped rows and no column matrix is built.
 */
function directConv(out: Float32Array, x: Float32Array, d: DirectProblem): boolean {
  const { n, m, c, t, v, kt, pad } = d;
  const stride = d.stride ?? 1;
  // A 1x1 kernel over many channels runs faster as one gemm (its depth loop then has no inner tap
  // loop to pay for): 0.56-0.82x there against 1.1-2.5x below 32 channels (benchmarks/kernels/direct.mjs).
  if (kt === 1 && c >= DIRECT_1X1_MAX_CHANNELS) return false;
  const w = gemmWasm();
  if (!w) return false;
  const { mr, nr } = w.shape;
  const tOut = Math.floor((t + 2 * pad - kt) / stride) + 1;
  const cols = tOut * v;
  const kdim = c * kt;
  const mPanels = Math.ceil(m / mr);
  const mPad = mPanels * mr;
  const phases = Math.min(stride, kt);
  const taps = (ph: number) => Math.ceil((kt - ph) / stride);
  // Phase rows: padded row s r + ph for r < rows (the last ones may lie past the padding: zero).
  const rows = Math.ceil((t + 2 * pad) / stride);
  const rowLen = rows * v;
  const phaseLen = roundUp(c * rowLen + nr, 4);
  const nTiles = Math.ceil(cols / nr);
  const nLast = cols - (nTiles - 1) * nr;
  // Linear memory (floats): edge scratch | packed A per phase | padded input per phase (+ nr slack
  // for the last tile's reads past the end) | C | staging for packing A.
  const aOff = EDGE_FLOATS;
  const aOffs: number[] = [];
  let at = aOff;
  for (let ph = 0; ph < phases; ph++) {
    aOffs.push(at);
    at += mPad * c * taps(ph);
  }
  const xOff = roundUp(at, 4);
  const cOff = roundUp(xOff + phases * phaseLen, 4);
  const sOff = cOff + mPad * cols;
  try {
    w.reserve(sOff + mPad * kdim * 2);
  } catch {
    return false; // linear memory cannot grow: the caller's im2col path takes it
  }
  const mem = w.f32;
  // Stride 1: A is the staged weights; else A_ph[co, ci * kp + r] = w[co, ci, ph + r s] per phase.
  const staged = stride === 1 ? sOff : sOff + mPad * kdim;
  d.stageWeights(mem, staged);
  for (let ph = 0; ph < phases; ph++) {
    const kp = taps(ph);
    if (stride > 1)
      for (let row = 0; row < m * c; row++) {
        const src = staged + row * kt + ph;
        const dst = sOff + row * kp;
        for (let r = 0; r < kp; r++) mem[dst + r] = mem[src + r * stride]!;
      }
    mem.fill(0, sOff + m * c * kp, sOff + mPad * c * kp);
    w.packColsA(sOff * 4, aOffs[ph]! * 4, mPanels, c * kp, c * kp * 4);
  }
  // The padding stays zero for every sample: only the valid rows are rewritten.
  mem.fill(0, xOff, cOff);
  const { bias } = d;
  const sampleOut = m * cols;
  for (let ni = 0; ni < n; ni++) {
    if (stride === 1) stageSample(mem, xOff, x, ni, c, t * v, rowLen, pad * v);
    else stagePhases(mem, xOff, x, ni, { c, t, v, pad, stride, rows, phaseLen, phases });
    if (bias) for (let co = 0; co < m; co++) mem.fill(bias[co]!, cOff + co * cols, cOff + (co + 1) * cols);
    let first = !bias;
    for (let ph = 0; ph < phases; ph++) {
      const kp = taps(ph);
      const chunk = Math.max(1, Math.floor(DEPTH_BLOCK / kp));
      for (let c0 = 0; c0 < c; c0 += chunk) {
        w.direct(
          (aOffs[ph]! + c0 * kp * mr) * 4,
          (xOff + ph * phaseLen + c0 * rowLen) * 4,
          cOff * 4,
          mPanels,
          nTiles,
          Math.min(chunk, c - c0),
          kp,
          v * 4,
          rowLen * 4,
          c * kp * mr * 4,
          cols * 4,
          first ? 0 : 1,
          nLast,
          0,
        );
        first = false;
      }
    }
    if (d.store) d.store(mem, cOff, ni);
    else out.set(mem.subarray(cOff, cOff + sampleOut), ni * sampleOut);
  }
  return true;
}

/** Copy sample ni of x into the phase buffers: phase ph row r = padded row s r + ph (rows of v floats). */
function stagePhases(
  mem: Float32Array,
  off: number,
  x: Float32Array,
  ni: number,
  g: {
    c: number;
    t: number;
    v: number;
    pad: number;
    stride: number;
    rows: number;
    phaseLen: number;
    phases: number;
  },
): void {
  const { c, t, v, pad, stride, rows, phaseLen, phases } = g;
  for (let ci = 0; ci < c; ci++) {
    const src = (ni * c + ci) * t * v;
    for (let tt = 0; tt < t; tt++) {
      const padded = tt + pad;
      const ph = padded % stride;
      if (ph >= phases) continue;
      const r = (padded - ph) / stride;
      mem.set(x.subarray(src + tt * v, src + (tt + 1) * v), off + ph * phaseLen + (ci * rows + r) * v);
    }
  }
}

/** Forward (any stride); false when the caller must take another path. */
export function tconvForwardDirect(
  out: Float32Array,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  p: TconvArgs,
): boolean {
  const d: DirectProblem = {
    n: p.n,
    m: p.cout,
    c: p.cin,
    t: p.t,
    v: p.v,
    kt: p.kt,
    pad: p.pad,
    stride: p.stride,
    bias,
    stageWeights: (dst, off) => dst.set(w.subarray(0, p.cout * p.cin * p.kt), off),
  };
  return (p.stride === 1 && winogradConv(out, x, d)) || directConv(out, x, d);
}

/**
 * Backward-input (overwrites dx). Stride 1 with pad <= kt - 1: the direct kernel on dy with the
 * flipped kernel's padding, or Winograd. Stride s > 1: padded dx row s r + ph only sees taps
 * ph + s j, dxp[s r + ph] = sum_j w[ph + s j] dy[r - j], a stride-1 convolution of dy per phase (the
 * phase's taps flipped, padding kp - 1) whose rows scatter back into dx.
 */
export function tconvBackwardInputDirect(
  dx: Float32Array,
  dy: Float32Array,
  w: Float32Array,
  p: TconvArgs,
): boolean {
  const { cin, cout, kt, pad, stride } = p;
  const tOut = tconvOutLength(p);
  if (stride > 1) return stridedBackwardInput(dx, dy, w, p, tOut);
  if (pad > kt - 1) return false;
  const d: DirectProblem = {
    n: p.n,
    m: cin,
    c: cout,
    t: tOut,
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

function stridedBackwardInput(
  dx: Float32Array,
  dy: Float32Array,
  w: Float32Array,
  p: TconvArgs,
  tOut: number,
): boolean {
  const { n, cin, cout, t, v, kt, pad, stride } = p;
  if (kt === 1 || cout >= STRIDED_INPUT_GRAD_MAX_CHANNELS || gemmWasm() === null) return false;
  // Rows no tap reaches (and phases without taps) get no gradient.
  dx.fill(0, 0, n * cin * t * v);
  for (let ph = 0; ph < Math.min(stride, kt); ph++) {
    const kp = Math.ceil((kt - ph) / stride);
    const rows = tOut + kp - 1;
    const ok = directConv(dx, dy, {
      n,
      m: cin,
      c: cout,
      t: tOut,
      v,
      kt: kp,
      pad: kp - 1,
      bias: null,
      stageWeights(dst, off) {
        // A'[ci, co*kp + j'] = w[co, ci, ph + s (kp-1-j')].
        for (let ci = 0; ci < cin; ci++)
          for (let co = 0; co < cout; co++) {
            const at = off + (ci * cout + co) * kp;
            const s = (co * cin + ci) * kt + ph;
            for (let j = 0; j < kp; j++) dst[at + j] = w[s + stride * (kp - 1 - j)]!;
          }
      },
      store(mem, cOff, ni) {
        // Phase row r is padded row s r + ph, i.e. dx row s r + ph - pad.
        for (let r = 0; r < rows; r++) {
          const tt = stride * r + ph - pad;
          if (tt < 0 || tt >= t) continue;
          for (let ci = 0; ci < cin; ci++) {
            const src = cOff + (ci * rows + r) * v;
            dx.set(mem.subarray(src, src + v), ((ni * cin + ci) * t + tt) * v);
          }
        }
      },
    });
    if (!ok) return false;
  }
  return true;
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
  if (winogradWeightGrad(dw, dy, x, { m: cout, c: cin, t, v, kt, pad }, n0, n1)) return true;
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
