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
  // vector's spill and the kernel's read slack) | 5 products | output rows | bias | U staging | the
  // staged weights (m x c x kt).
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
