/**
 * Temporal (kt x 1) convolution as im2col + gemm: per sample, the (Cin*kt) x (Tout*V) column matrix
 * turns forward into W (Cout x Cin*kt) @ col, backward-input into col2im(W^T @ dy) (stride 1: one
 * accumulating gemm per tap straight into dx), and
 * backward-weight into sum_n dy @ col^T. The column buffer is a grow-only scratch of the inputs' element
 * type, so float32 convolutions run their products on the float32 (wasm SIMD) gemm.
 */

import { runtimeOptions, setRuntimeOptions } from '../runtime/options.js';
import type { FloatArray, TconvArgs } from '../types.js';
import { tconvOutLength } from '../types.js';
import { gemm, scratchLike, wasmAllowed } from './gemm.js';
import { reduceInParts } from './partition.js';
import { tconvBackwardInputDirect, tconvBackwardWeightDirect, tconvForwardDirect } from './tconvDirect.js';

/** Use the direct wasm kernel for stride-1 float32 convolutions (default) or always im2col + gemm; returns the previous setting. */
export function setDirectConv(on: boolean): boolean {
  return setRuntimeOptions({ directConv: on }).directConv;
}

const COL_SLOT = 0;
const WT_SLOT = 1;

/** col[(ci*kt + q), (t*V + v)] = x[ni, ci, t*stride - pad + q, v], 0 outside [0, T). */
function im2col(col: FloatArray, x: FloatArray, ni: number, p: TconvArgs, to: number): void {
  const { cin, t: T, v: V, kt, stride, pad } = p;
  const cols = to * V;
  for (let ci = 0; ci < cin; ci++) {
    const xBase = (ni * cin + ci) * T * V;
    for (let q = 0; q < kt; q++) {
      const row = (ci * kt + q) * cols;
      // Output steps whose input step lies inside [0, T): t0 <= t < t1.
      const t0 = Math.min(to, Math.max(0, Math.ceil((pad - q) / stride)));
      const t1 = Math.max(t0, Math.min(to, Math.floor((T - 1 + pad - q) / stride) + 1));
      col.fill(0, row, row + t0 * V);
      col.fill(0, row + t1 * V, row + cols);
      if (stride === 1) {
        // The valid span is one contiguous run of x.
        const s = xBase + (t0 - pad + q) * V;
        const d = row + t0 * V;
        const len = (t1 - t0) * V;
        // col has x's element type (scratchLike), so a long run is a plain memcpy.
        if (len >= 48) col.set(x.subarray(s, s + len), d);
        else for (let j = 0; j < len; j++) col[d + j] = x[s + j];
      } else {
        for (let t = t0; t < t1; t++) {
          const s = xBase + (t * stride - pad + q) * V;
          const d = row + t * V;
          for (let v = 0; v < V; v++) col[d + v] = x[s + v];
        }
      }
    }
  }
}

export function tconvForwardCpu(
  out: FloatArray,
  x: FloatArray,
  w: FloatArray,
  bias: FloatArray | null,
  p: TconvArgs,
): void {
  if (
    runtimeOptions().directConv &&
    wasmAllowed() &&
    out instanceof Float32Array &&
    x instanceof Float32Array &&
    w instanceof Float32Array &&
    (bias === null || bias instanceof Float32Array) &&
    tconvForwardDirect(out, x, w, bias, p)
  )
    return;
  const to = tconvOutLength(p);
  const cols = to * p.v;
  const kdim = p.cin * p.kt;
  // A 1x1 kernel without stride or padding: the column matrix would be x itself.
  const pointwise = p.kt === 1 && p.stride === 1 && p.pad === 0;
  const col = pointwise ? x : scratchLike(COL_SLOT, kdim * cols, x);
  for (let ni = 0; ni < p.n; ni++) {
    const o = ni * p.cout * cols;
    if (bias) for (let co = 0; co < p.cout; co++) out.fill(bias[co], o + co * cols, o + (co + 1) * cols);
    if (pointwise) {
      gemm(p.cout, cols, kdim, w, 0, kdim, 1, x, ni * kdim * cols, cols, 1, out, o, cols, bias !== null);
      continue;
    }
    im2col(col, x, ni, p, to);
    gemm(p.cout, cols, kdim, w, 0, kdim, 1, col, 0, cols, 1, out, o, cols, bias !== null);
  }
}

export function tconvBackwardInputCpu(dx: FloatArray, dy: FloatArray, w: FloatArray, p: TconvArgs): void {
  const { cin, t: T, v: V, kt, stride, pad } = p;
  if (
    runtimeOptions().directConv &&
    wasmAllowed() &&
    dx instanceof Float32Array &&
    dy instanceof Float32Array &&
    w instanceof Float32Array &&
    tconvBackwardInputDirect(dx, dy, w, p)
  )
    return;
  const to = tconvOutLength(p);
  const cols = to * V;
  const kdim = cin * kt;
  dx.fill(0, 0, p.n * cin * T * V);
  if (stride === 1) {
    // Per tap q, dx[ni, :, t - pad + q, :] += W[:, :, q]^T @ dy[ni, :, t, :] over the valid t: the
    // shifted rows are plain strided views, so gemm adds straight into dx (no column buffer, no col2im).
    // wt[q, co, ci] = w[co, ci, q] gives each tap's W^T a unit stride (packed by memcpy, not per element).
    const cout = p.cout;
    const wt = scratchLike(WT_SLOT, kdim * cout, w);
    for (let co = 0; co < cout; co++)
      for (let ci = 0; ci < cin; ci++)
        for (let q = 0; q < kt; q++) wt[(q * cout + co) * cin + ci] = w[(co * cin + ci) * kt + q];
    for (let ni = 0; ni < p.n; ni++)
      for (let q = 0; q < kt; q++) {
        const t0 = Math.max(0, pad - q);
        const t1 = Math.min(to, T + pad - q);
        if (t1 <= t0) continue;
        const offB = ni * p.cout * cols + t0 * V;
        const offC = ni * cin * T * V + (t0 - pad + q) * V;
        gemm(cin, (t1 - t0) * V, cout, wt, q * cout * cin, 1, cin, dy, offB, cols, 1, dx, offC, T * V, true);
      }
    return;
  }
  const col = scratchLike(COL_SLOT, kdim * cols, dy);
  for (let ni = 0; ni < p.n; ni++) {
    // col = W^T (Cin*kt x Cout) @ dy[ni] (Cout x Tout*V), then scatter-add back onto the time axis.
    gemm(kdim, cols, p.cout, w, 0, 1, kdim, dy, ni * p.cout * cols, cols, 1, col, 0, cols, false);
    for (let ci = 0; ci < cin; ci++) {
      const xBase = (ni * cin + ci) * T * V;
      for (let q = 0; q < kt; q++) {
        const row = (ci * kt + q) * cols;
        for (let t = 0; t < to; t++) {
          const ti = t * stride - pad + q;
          if (ti < 0 || ti >= T) continue;
          const s = row + t * V;
          const d = xBase + ti * V;
          for (let v = 0; v < V; v++) dx[d + v] += col[s + v];
        }
      }
    }
  }
}

/**
 * dw (Cout, Cin*kt) and dbias (Cout) from samples [n0, n1) only (overwritten; zero for an empty range).
 * The threaded backend runs fixed parts of the batch through this; see partition.ts.
 */
export function tconvBackwardWeightRange(
  dw: FloatArray,
  dbias: FloatArray | null,
  dy: FloatArray,
  x: FloatArray,
  p: TconvArgs,
  n0: number,
  n1: number,
): void {
  const to = tconvOutLength(p);
  const cols = to * p.v;
  const onDirect =
    runtimeOptions().directConv &&
    wasmAllowed() &&
    dw instanceof Float32Array &&
    dy instanceof Float32Array &&
    x instanceof Float32Array &&
    tconvBackwardWeightDirect(dw, dy, x, p, n0, n1);
  if (!onDirect) {
    const kdim = p.cin * p.kt;
    const col = scratchLike(COL_SLOT, kdim * cols, x);
    if (n1 <= n0) dw.fill(0, 0, p.cout * kdim);
    for (let ni = n0; ni < n1; ni++) {
      im2col(col, x, ni, p, to);
      // dW (Cout x Cin*kt) (+)= dy[ni] (Cout x Tout*V) @ col^T (Tout*V x Cin*kt).
      gemm(p.cout, kdim, cols, dy, ni * p.cout * cols, cols, 1, col, 0, 1, cols, dw, 0, kdim, ni > n0);
    }
  }
  if (dbias) {
    for (let co = 0; co < p.cout; co++) {
      let s = 0;
      for (let ni = n0; ni < n1; ni++) {
        const o = (ni * p.cout + co) * cols;
        for (let j = 0; j < cols; j++) s += dy[o + j];
      }
      dbias[co] = s;
    }
  }
}

/** The batch reduction in fixed parts (partition.ts): identical on one thread and on many. */
export function tconvBackwardWeightCpu(
  dw: FloatArray,
  dbias: FloatArray | null,
  dy: FloatArray,
  x: FloatArray,
  p: TconvArgs,
): void {
  reduceInParts(p.n, [dw, dbias], (outs, n0, n1) =>
    tconvBackwardWeightRange(outs[0]!, outs[1] ?? null, dy, x, p, n0, n1),
  );
}
