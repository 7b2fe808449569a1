/**
 * Stride-1 temporal convolution by Winograd F(3, 3) (wasm/winograd.ts): the kt taps split into
 * J = ceil(kt / 3) groups of three (zero taps past kt), output rows into tiles of three. Per point xi
 * of the transform the product is a J-tap convolution over the tile index, which the direct kernel
 * runs: 5 J ceil(tOut / 3) multiply-adds per output column and channel pair instead of kt tOut
 * (117 -> 75 on ST-GCN's 13-frame stage, 450 -> 255 at 50 frames). Forward and backward-input share
 * winogradConv (the latter on the flipped weights); the weight gradient is winogradWeightGrad. Round-off
 * grows with the input tile window's magnitude, not only with the taps an output uses.
 */
import { runtimeOptions, setRuntimeOptions } from '../runtime/options.js';
import { DEPTH_BLOCK, type DirectProblem, EDGE_FLOATS, roundUp, stageSample } from './directCommon.js';
import { gemmWasm } from './wasm/gemmF32.js';
import { G, WINOGRAD_POINTS as P } from './wasm/winograd.js';

/** Smallest channel counts (in and out) where the transforms pay (benchmarks/kernels/winograd.mjs). */
export const WINOGRAD_MIN_CHANNELS = 64;

/** Switch the Winograd path off (false) or on, e.g. to compare it with the direct kernel. */
export function setWinograd(on: boolean): void {
  setRuntimeOptions({ winograd: on });
}

export function winogradApplies(d: Pick<DirectProblem, 'm' | 'c' | 'kt'>): boolean {
  return (
    runtimeOptions().winograd && d.kt >= 5 && d.c >= WINOGRAD_MIN_CHANNELS && d.m >= WINOGRAD_MIN_CHANNELS
  );
}

/**
 * U_xi (m x c*J, row-major, one after another from `off`) = G_xi applied to each group of three taps
 * of the staged weights (m*c rows of kt taps from `src`), both in `mem`.
 */
function transformWeights(
  mem: Float32Array,
  off: number,
  src: number,
  rows: number,
  kt: number,
  j: number,
): void {
  const [g0, g1, g2, g3, g4] = G as [number[], number[], number[], number[], number[]];
  const [a0, b0, c0] = g0 as [number, number, number];
  const [a1, b1, c1] = g1 as [number, number, number];
  const [a2, b2, c2] = g2 as [number, number, number];
  const [a3, b3, c3] = g3 as [number, number, number];
  const [a4, b4, c4] = g4 as [number, number, number];
  const plane = rows * j;
  for (let row = 0; row < rows; row++) {
    const s = src + row * kt;
    for (let q = 0, tap = 0; q < j; q++, tap += 3) {
      const w0 = tap < kt ? mem[s + tap]! : 0;
      const w1 = tap + 1 < kt ? mem[s + tap + 1]! : 0;
      const w2 = tap + 2 < kt ? mem[s + tap + 2]! : 0;
      const o = off + row * j + q;
      mem[o] = a0 * w0 + b0 * w1 + c0 * w2;
      mem[o + plane] = a1 * w0 + b1 * w1 + c1 * w2;
      mem[o + 2 * plane] = a2 * w0 + b2 * w1 + c2 * w2;
      mem[o + 3 * plane] = a3 * w0 + b3 * w1 + c3 * w2;
      mem[o + 4 * plane] = a4 * w0 + b4 * w1 + c4 * w2;
    }
  }
}

/** The tiling both Winograd drivers share, in floats (nr: the kernel's column-panel width). */
function tiling(d: Pick<DirectProblem, 'c' | 't' | 'v' | 'kt' | 'pad'>, tOut: number, nr: number) {
  const { c, t, v, kt, pad } = d;
  const j = Math.ceil(kt / 3);
  const tilesOut = Math.ceil(tOut / 3);
  const tilesIn = tilesOut + j - 1;
  const rowsIn = Math.max(t + 2 * pad, 3 * tilesIn + 2);
  return {
    j,
    tilesOut,
    tilesIn,
    rowsIn,
    rowVecs: Math.ceil(v / 4),
    kdim: c * j,
    cols: tilesOut * v,
    /** The padded input of one sample (+ the last vector's spill). */
    xLen: roundUp(c * rowsIn * v + 4, 4),
    /** One point plane (+ the spill and the direct kernel's read slack). */
    planeLen: roundUp(c * tilesIn * v + 4 + nr, 4),
  };
}

/** Stage sample ni of x (padded) at xOff and write its 5 point planes from pOff. */
function inputPoints(
  w: NonNullable<ReturnType<typeof gemmWasm>>,
  x: Float32Array,
  ni: number,
  d: Pick<DirectProblem, 'c' | 't' | 'v' | 'pad'>,
  g: ReturnType<typeof tiling>,
  xOff: number,
  pOff: number,
): void {
  const { c, t, v, pad } = d;
  stageSample(w.f32, xOff, x, ni, c, t * v, g.rowsIn * v, pad * v);
  w.winogradInput(
    pOff * 4,
    xOff * 4,
    c,
    g.tilesIn,
    g.rowVecs,
    v * 4,
    g.rowsIn * v * 4,
    g.tilesIn * v * 4,
    g.planeLen * 4,
  );
}

/** out (n, m, tOut, v) from x (n, c, t, v); false (nothing written) where it does not apply. */
export function winogradConv(out: Float32Array, x: Float32Array, d: DirectProblem): boolean {
  const { n, m, c, t, v, kt, pad } = d;
  const w = gemmWasm();
  const tOut = t + 2 * pad - kt + 1;
  if (!w || tOut < 1 || !winogradApplies(d)) return false;
  const { mr, nr } = w.shape;
  const g = tiling(d, tOut, nr);
  const { j, tilesOut, tilesIn, rowVecs, kdim, cols, xLen, planeLen } = g;
  const mPanels = Math.ceil(m / mr);
  const mPad = mPanels * mr;
  const nTiles = Math.ceil(cols / nr);
  const nLast = cols - (nTiles - 1) * nr;
  const outRow = 3 * tilesOut * v;
  // Linear memory (floats): edge scratch | 5 packed U | padded input | 5 point planes (+ the last
  // vector's spill and the kernel's read slack) | 5 products | output rows | bias | U staging | the
  // staged weights (m x c x kt).
  const aLen = mPad * kdim;
  const aOff = EDGE_FLOATS;
  const xOff = roundUp(aOff + P * aLen, 4);
  const pOff = xOff + xLen;
  const cLen = roundUp(mPad * cols + 4, 4);
  const cOff = pOff + P * planeLen;
  const yOff = cOff + P * cLen;
  const bOff = roundUp(yOff + m * outRow + 4, 4);
  const sOff = roundUp(bOff + m, 4);
  const wOff = roundUp(sOff + (P * m + mr) * kdim, 4);
  try {
    w.reserve(wOff + m * c * kt);
  } catch {
    return false;
  }
  const mem = w.f32;
  d.stageWeights(mem, wOff);
  transformWeights(mem, sOff, wOff, m * c, kt, j);
  for (let xi = 0; xi < P; xi++) {
    // packColsA reads mPad rows: pad with zero rows past m (into the next staged U, rewritten below).
    const src = sOff + xi * m * kdim;
    if (mPad > m) {
      const tmp = mem.slice(src + m * kdim, src + mPad * kdim);
      mem.fill(0, src + m * kdim, src + mPad * kdim);
      w.packColsA(src * 4, (aOff + xi * aLen) * 4, mPanels, kdim, kdim * 4);
      mem.set(tmp, src + m * kdim);
    } else w.packColsA(src * 4, (aOff + xi * aLen) * 4, mPanels, kdim, kdim * 4);
  }
  const { bias } = d;
  if (bias) mem.set(bias.subarray(0, m), bOff);
  else mem.fill(0, bOff, bOff + m);
  mem.fill(0, xOff, xOff + xLen);
  const chunk = Math.max(1, Math.floor(DEPTH_BLOCK / j));
  const sampleOut = m * tOut * v;
  for (let ni = 0; ni < n; ni++) {
    inputPoints(w, x, ni, d, g, xOff, pOff);
    for (let xi = 0; xi < P; xi++)
      for (let c0 = 0; c0 < c; c0 += chunk)
        w.direct(
          (aOff + xi * aLen + c0 * j * mr) * 4,
          (pOff + xi * planeLen + c0 * tilesIn * v) * 4,
          (cOff + xi * cLen) * 4,
          mPanels,
          nTiles,
          Math.min(chunk, c - c0),
          j,
          v * 4,
          tilesIn * v * 4,
          kdim * mr * 4,
          cols * 4,
          c0 > 0 ? 1 : 0,
          nLast,
          0,
        );
    w.winogradOutput(
      yOff * 4,
      cOff * 4,
      m,
      tilesOut,
      rowVecs,
      v * 4,
      cLen * 4,
      cols * 4,
      outRow * 4,
      bOff * 4,
    );
    const o = ni * sampleOut;
    if (outRow === tOut * v) out.set(mem.subarray(yOff, yOff + sampleOut), o);
    else
      for (let co = 0; co < m; co++)
        out.set(mem.subarray(yOff + co * outRow, yOff + co * outRow + tOut * v), o + co * tOut * v);
  }
  return true;
}

/** Samples whose tiles share one pass of the weight-gradient products (depth GROUP * tiles * v). */
const GROUP = 4;

/**
 * Weight gradient over samples [n0, n1) by Winograd: with V_xi the input's points (as forward) and
 * D_xi = A dy (the output gradient's points, per tile of three rows), dU_xi = sum over samples, tiles
 * and joints of D_xi V_xi shifted by j tiles, and dW = G^T dU (dw[co, ci, 3 j + s] =
 * sum_xi G[xi][s] dU_xi[co, ci, j]). The products run on the directWeight kernel over GROUP samples
 * at once (each shifted point row copied out contiguously), so dU is read and written once per group.
 * Overwrites dw; false where it does not apply.
 */
export function winogradWeightGrad(
  dw: Float32Array,
  dy: Float32Array,
  x: Float32Array,
  d: Pick<DirectProblem, 'm' | 'c' | 't' | 'v' | 'kt' | 'pad'>,
  n0: number,
  n1: number,
): boolean {
  const { m, c, t, v, kt, pad } = d;
  const w = gemmWasm();
  const tOut = t + 2 * pad - kt + 1;
  if (!w || tOut < 1 || n1 <= n0 || !winogradApplies(d)) return false;
  const { mr, nr } = w.shape;
  const g = tiling(d, tOut, nr);
  const { j, tilesOut, tilesIn, rowVecs, kdim, cols, xLen, planeLen } = g;
  const mPanels = Math.ceil(kdim / mr);
  const kPad = mPanels * mr;
  const nPanels = Math.ceil(m / nr);
  const group = Math.min(GROUP, n1 - n0);
  // Rows of the grouped operands: group * cols floats, + 4 for the transforms' vector spill.
  const row = roundUp(group * cols + 4, 4);
  const yRows = 3 * tilesOut + 2;
  // Linear memory (floats): edge scratch | 5 row tables | padded input | one sample's 5 input point
  // planes | padded dy | 5 grouped dy point planes (nPanels * nr rows) | 5 grouped shifted input point
  // planes (kdim rows) | packed D^T | 5 C = dU^T (kPad x m).
  const tableOff = EDGE_FLOATS;
  const xOff = roundUp(tableOff + P * kPad, 4);
  const pOff = xOff + xLen;
  const yOff = pOff + P * planeLen;
  const yLen = roundUp(m * yRows * v + 4, 4);
  const dLen = nPanels * nr * row;
  const dOff = yOff + yLen;
  const sLen = kdim * row;
  const sOff = dOff + P * dLen;
  const bOff = sOff + P * sLen + nr;
  const cOff = roundUp(bOff + nPanels * nr * group * cols, 4);
  const cLen = kPad * m;
  try {
    w.reserve(cOff + P * cLen);
  } catch {
    return false;
  }
  const mem = w.f32;
  const table = new Int32Array(mem.buffer, tableOff * 4, P * kPad);
  for (let xi = 0; xi < P; xi++)
    for (let k = 0; k < kPad; k++)
      // Padding rows (k >= kdim) read row 0: their C rows are never read.
      table[xi * kPad + k] = (sOff + xi * sLen + (k < kdim ? k : 0) * row) * 4;
  mem.fill(0, xOff, xOff + xLen);
  mem.fill(0, yOff, yOff + yLen);
  mem.fill(0, dOff, dOff + P * dLen);
  let first = true;
  for (let g0 = n0; g0 < n1; g0 += group) {
    const size = Math.min(group, n1 - g0);
    for (let s = 0; s < size; s++) {
      const ni = g0 + s;
      inputPoints(w, x, ni, d, g, xOff, pOff);
      stageSample(mem, yOff, dy, ni, m, tOut * v, yRows * v, 0);
      w.winogradGradOut(
        (dOff + s * cols) * 4,
        yOff * 4,
        m,
        tilesOut,
        rowVecs,
        v * 4,
        yRows * v * 4,
        row * 4,
        dLen * 4,
      );
      // Shifted rows (ci, q) of each point plane: tiles q .. q + tilesOut - 1 of channel ci.
      for (let xi = 0; xi < P; xi++)
        for (let q = 0; q < j; q++)
          w.copyRuns(
            (sOff + xi * sLen + q * row + s * cols) * 4,
            j * row * 4,
            (pOff + xi * planeLen + q * v) * 4,
            tilesIn * v * 4,
            c,
            cols * 4,
          );
    }
    const depth = size * cols;
    for (let xi = 0; xi < P; xi++) {
      w.packColsB((dOff + xi * dLen) * 4, bOff * 4, nPanels, depth, row * 4);
      w.directWeight(
        (tableOff + xi * kPad) * 4,
        bOff * 4,
        (cOff + xi * cLen) * 4,
        mPanels,
        nPanels,
        depth,
        m * 4,
        first ? 0 : 1,
        m - (nPanels - 1) * nr,
        0,
      );
    }
    first = false;
  }
  // dw[co, ci, 3 q + s] = sum_xi G[xi][s] dU_xi^T[ci * J + q, co].
  const gt = [0, 1, 2].map((s) => G.map((r) => r[s]!));
  for (let co = 0; co < m; co++)
    for (let ci = 0; ci < c; ci++)
      for (let q = 0; q < j; q++) {
        const at = cOff + (ci * j + q) * m + co;
        const u0 = mem[at]!;
        const u1 = mem[at + cLen]!;
        const u2 = mem[at + 2 * cLen]!;
        const u3 = mem[at + 3 * cLen]!;
        const u4 = mem[at + 4 * cLen]!;
        const o = (co * c + ci) * kt + 3 * q;
        for (let s = 0; s < 3 && 3 * q + s < kt; s++)
          dw[o + s] = gt[s]![0]! * u0 + gt[s]![1]! * u1 + gt[s]![2]! * u2 + gt[s]![3]! * u3 + gt[s]![4]! * u4;
      }
  return true;
}
