/**
 * A tiled GEMM shader generator shared by matmul, the temporal convolution (implicit GEMM: the
 * im2col matrix is never stored, its tiles are gathered on load) and the graph aggregation.
 *
 * Each workgroup computes a BM x BN tile of C (rows M, columns N) for one batch entry and one split of
 * the K axis: it stages BK-deep slices of A (BM x BK) and B (BK x BN) in workgroup memory and each
 * thread accumulates a TM x TN block (rows ty + i * TY, columns tx + j * TX: conflict-free shared reads,
 * coalesced stores). The kernel supplies loadA(b, m, k), loadB(b, k, n) (called in range only) and
 * store(b, split, m, n, v) as WGSL.
 */

import type { GpuArray } from '../array.js';
import { GpuContext } from '../context.js';

export interface GemmTile {
  bm: number;
  bn: number;
  bk: number;
  tm: number;
  tn: number;
}

export const TILE_64: GemmTile = { bm: 64, bn: 64, bk: 16, tm: 4, tn: 4 };
/** For a narrow N (the graph aggregation's W = 25 joints). */
export const TILE_NARROW: GemmTile = { bm: 128, bn: 32, bk: 16, tm: 8, tn: 2 };
export const TILE_SMALL_M: GemmTile = { bm: 32, bn: 64, bk: 16, tm: 2, tn: 4 };

export interface GemmSpec {
  key: string;
  tile: GemmTile;
  /** u32 parameters after the common M, N, K, splits, kChunk (slot words 5..). */
  fields: string[];
  /** WGSL storage declarations, bindings 1.. */
  bindings: string;
  loadA: string;
  loadB: string;
  store: string;
  /** Load order of the A tile: consecutive threads step along k (true) or m (false); likewise B along n or k. */
  aAlongK: boolean;
  bAlongN: boolean;
}

function shader(s: GemmSpec): string {
  const { bm, bn, bk, tm, tn } = s.tile;
  const tx = bn / tn;
  const ty = bm / tm;
  const threads = tx * ty;
  const aIdx = s.aAlongK ? 'let kk = e % BK; let mm = e / BK;' : 'let mm = e % BM; let kk = e / BM;';
  const bIdx = s.bAlongN ? 'let nn = e % BN; let kk = e / BN;' : 'let kk = e % BK; let nn = e / BK;';
  return `
struct P { M: u32, N: u32, K: u32, splits: u32, kChunk: u32, ${s.fields.map((f) => `${f}: u32,`).join(' ')} }
@group(0) @binding(0) var<uniform> p: P;
${s.bindings}
const BM = ${bm}u; const BN = ${bn}u; const BK = ${bk}u; const TM = ${tm}u; const TN = ${tn}u;
const TX = ${tx}u; const TY = ${ty}u; const NT = ${threads}u;
var<workgroup> As: array<f32, ${bm * bk}>;
var<workgroup> Bs: array<f32, ${bk * bn}>;
fn loadA(b: u32, m: u32, k: u32) -> f32 { ${s.loadA} }
fn loadB(b: u32, k: u32, n: u32) -> f32 { ${s.loadB} }
fn store(b: u32, split: u32, m: u32, n: u32, v: f32) { ${s.store} }
@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let tx = li % TX;
  let ty = li / TX;
  let b = wg.z / p.splits;
  let split = wg.z % p.splits;
  let m0 = wg.y * BM;
  let n0 = wg.x * BN;
  let kBegin = split * p.kChunk;
  let kEnd = min(p.K, kBegin + p.kChunk);
  var acc: array<f32, ${tm * tn}>;
  for (var k0 = kBegin; k0 < kEnd; k0 += BK) {
    for (var e = li; e < BM * BK; e += NT) {
      ${aIdx}
      let m = m0 + mm;
      let k = k0 + kk;
      var v = 0.0;
      if (m < p.M && k < kEnd) { v = loadA(b, m, k); }
      As[kk * BM + mm] = v;
    }
    for (var e = li; e < BK * BN; e += NT) {
      ${bIdx}
      let n = n0 + nn;
      let k = k0 + kk;
      var v = 0.0;
      if (n < p.N && k < kEnd) { v = loadB(b, k, n); }
      Bs[kk * BN + nn] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      var a: array<f32, ${tm}>;
      var c: array<f32, ${tn}>;
      for (var i = 0u; i < TM; i++) { a[i] = As[kk * BM + ty + i * TY]; }
      for (var j = 0u; j < TN; j++) { c[j] = Bs[kk * BN + tx + j * TX]; }
      for (var i = 0u; i < TM; i++) {
        for (var j = 0u; j < TN; j++) { acc[i * TN + j] = fma(a[i], c[j], acc[i * TN + j]); }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < TM; i++) {
    let m = m0 + ty + i * TY;
    if (m >= p.M) { continue; }
    for (var j = 0u; j < TN; j++) {
      let n = n0 + tx + j * TX;
      if (n < p.N) { store(b, split, m, n, acc[i * TN + j]); }
    }
  }
}`;
}

export interface GemmCall {
  m: number;
  n: number;
  k: number;
  batch: number;
  /** K-axis splits (each writes its own partial sum); 1 for a plain GEMM. */
  splits: number;
  /** Values of spec.fields, in order. */
  values: number[];
  arrays: (GpuArray | GPUBuffer)[];
}

export function runGemm(ctx: GpuContext, spec: GemmSpec, call: GemmCall): void {
  const { m, n, k, batch, splits } = call;
  if (m === 0 || n === 0 || batch === 0) return;
  const pipeline = ctx.pipeline(spec.key, () => shader(spec));
  const { slot, offset } = ctx.slot();
  const kChunk = Math.ceil(Math.ceil(k / splits) / spec.tile.bk) * spec.tile.bk;
  slot.u.set([m, n, k, splits, Math.max(kChunk, spec.tile.bk), ...call.values]);
  const grid: [number, number, number] = [
    Math.ceil(n / spec.tile.bn),
    Math.ceil(m / spec.tile.bm),
    batch * splits,
  ];
  ctx.dispatch(pipeline, offset, call.arrays, grid);
}

/**
 * K splits for a long-K GEMM with few output tiles (weight gradients): enough workgroups to fill a
 * large GPU (~512), each split at least 256 deep.
 */
export function splitsFor(m: number, n: number, k: number, tile: GemmTile): number {
  const tiles = Math.ceil(m / tile.bm) * Math.ceil(n / tile.bn);
  const want = Math.ceil(512 / tiles);
  return Math.max(1, Math.min(want, Math.floor(k / 256), 65535));
}

/** out (len) = sum over `splits` consecutive slices of partial (splits * len), plus the store's extras. */
export function reduceSplits(ctx: GpuContext, out: GpuArray, partial: GpuArray, splits: number): void {
  const code = `
struct P { n: u32, splits: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> partial: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  var acc = 0.0;
  for (var s = 0u; s < p.splits; s++) { acc += partial[s * p.n + i]; }
  out[i] = acc;
}`;
  const pipeline = ctx.pipeline('gemm:reduceSplits', () => code);
  const { slot, offset } = ctx.slot();
  slot.u.set([out.length, splits]);
  ctx.dispatch(pipeline, offset, [out, partial], GpuContext.grid1d(out.length));
}
