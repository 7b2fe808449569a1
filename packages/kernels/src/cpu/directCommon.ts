/**
 * What the direct-kernel drivers (tconvDirect.ts, tconvWinograd.ts) share: the problem description,
 * the linear-memory conventions and the per-sample staging copy.
 */

/** Floats reserved at the start of linear memory for the kernel's edge-tile scratch. */
export const EDGE_FLOATS = 256;
/**
 * Depth (channels x taps) per kernel call: as in the gemm's KC, a row panel's slice of the weights
 * (mr x 256 floats, 4 KiB) stays in L1 while the tiles stream; deeper products add into C.
 */
export const DEPTH_BLOCK = 256;
export const roundUp = (x: number, r: number) => Math.ceil(x / r) * r;

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
  /** Temporal stride (default 1). */
  stride?: number;
  /** Write A (m x c*kt, row-major) into dst at offset off. */
  stageWeights(dst: Float32Array, off: number): void;
  bias: Float32Array | null;
  /** Where sample ni's C (m rows of tOut * v floats from mem[cOff]) goes; default: out, densely. */
  store?(mem: Float32Array, cOff: number, ni: number): void;
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
