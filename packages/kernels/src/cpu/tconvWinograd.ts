/**
 * Stride-1 temporal convolution by Winograd F(3, 3) (wasm/winograd.ts): the kt taps split into
 * J = ceil(kt / 3) groups of three (zero taps past kt), output rows into tiles of three. Per point xi
 * of the transform the product is a J-tap convolution over the tile index, which the direct kernel
 * runs: 5 J ceil(tOut / 3) multiply-adds per output column and channel pair instead of kt tOut
 * (117 -> 75 on ST-GCN's 13-frame stage, 450 -> 255 at 50 frames). Round-off differs from the direct
 * sum by a few float32 ulps of the inputs' scale (the transforms' constants are 1/2, 1/6, 2, 4).
 */
import { type DirectProblem, stageSample } from './tconvDirect.js';
import { gemmWasm } from './wasm/gemmF32.js';
import { G, WINOGRAD_POINTS as P } from './wasm/winograd.js';

const EDGE_FLOATS = 256;
const DEPTH_BLOCK = 256;
/** Smallest channel counts (in and out) where the transforms pay (benchmarks/kernels/winograd.mjs). */
export const WINOGRAD_MIN_CHANNELS = 64;
const roundUp = (x: number, r: number) => Math.ceil(x / r) * r;

let enabled = true;

/** Switch the Winograd path off (false) or on, e.g. to compare it with the direct kernel. */
export function setWinograd(on: boolean): void {
  enabled = on;
}

export function winogradApplies(d: Pick<DirectProblem, 'm' | 'c' | 'kt'>): boolean {
  return enabled && d.kt >= 5 && d.c >= WINOGRAD_MIN_CHANNELS && d.m >= WINOGRAD_MIN_CHANNELS;
}

/** U_xi (m x c*J, row-major) = G_xi applied to each group of three taps of the staged weights. */
function transformWeights(
  dst: Float32Array,
  off: number,
  wt: Float32Array,
  d: DirectProblem,
  j: number,
): void {
  const { m, c, kt } = d;
  const g = G;
  for (let co = 0; co < m; co++)
    for (let ci = 0; ci < c; ci++) {
      const s = (co * c + ci) * kt;
      for (let q = 0; q < j; q++) {
        const w0 = 3 * q < kt ? wt[s + 3 * q]! : 0;
        const w1 = 3 * q + 1 < kt ? wt[s + 3 * q + 1]! : 0;
        const w2 = 3 * q + 2 < kt ? wt[s + 3 * q + 2]! : 0;
        for (let xi = 0; xi < P; xi++) {
          const r = g[xi]!;
          dst[off + xi * m * c * j + (co * c + ci) * j + q] = r[0]! * w0 + r[1]! * w1 + r[2]! * w2;
        }
      }
    }
}

/** out (n, m, tOut, v) from x (n, c, t, v); false (nothing written) where it does not apply. */
export function winogradConv(out: Float32Array, x: Float32Array, d: DirectProblem): boolean {
  const { n, m, c, t, v, kt, pad } = d;
  const w = gemmWasm();
  const tOut = t + 2 * pad - kt + 1;
  if (!w || tOut < 1 || !winogradApplies(d)) return false;
  const { mr, nr } = w.shape;
  const j = Math.ceil(kt / 3);
  const tilesOut = Math.ceil(tOut / 3);
  const tilesIn = tilesOut + j - 1;
  const rowsIn = Math.max(t + 2 * pad, 3 * tilesIn + 2);
  const rowVecs = Math.ceil(v / 4);
  const mPanels = Math.ceil(m / mr);
  const mPad = mPanels * mr;
  const kdim = c * j;
  const cols = tilesOut * v;
  const nTiles = Math.ceil(cols / nr);
  const nLast = cols - (nTiles - 1) * nr;
  const outRow = 3 * tilesOut * v;
  // Linear memory (floats): edge scratch | 5 packed U | padded input | 5 point planes (+ the last
  // vector's spill and the kernel's read slack) | 5 products | output rows | bias | U staging.
  const aLen = mPad * kdim;
  const aOff = EDGE_FLOATS;
  const xOff = roundUp(aOff + P * aLen, 4);
  const xLen = roundUp(c * rowsIn * v + 4, 4);
  const planeLen = roundUp(c * tilesIn * v + 4 + nr, 4);
  const pOff = xOff + xLen;
  const cLen = roundUp(mPad * cols + 4, 4);
  const cOff = pOff + P * planeLen;
  const yOff = cOff + P * cLen;
  const bOff = roundUp(yOff + m * outRow + 4, 4);
  const sOff = roundUp(bOff + m, 4);
  try {
    w.reserve(sOff + (P * m + mr) * kdim);
  } catch {
    return false;
  }
  const mem = w.f32;
  const staged = new Float32Array(m * c * kt);
  d.stageWeights(staged, 0);
  transformWeights(mem, sOff, staged, d, j);
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
    stageSample(mem, xOff, x, ni, c, t * v, rowsIn * v, pad * v);
    w.winogradInput(
      pOff * 4,
      xOff * 4,
      c,
      tilesIn,
      rowVecs,
      v * 4,
      rowsIn * v * 4,
      tilesIn * v * 4,
      planeLen * 4,
    );
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
