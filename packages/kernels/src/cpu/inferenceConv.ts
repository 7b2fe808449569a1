/**
 * Driving the inference WebAssembly module (wasm/inference.ts) for one (kt x 1) convolution layer, int8
 * or float32: the register tile it takes, its packed weights, its input laid out with zero padding
 * frames (quantised for int8), and the convolution call. All pointers are byte offsets into the
 * instance's memory; nothing here allocates per call.
 */
import { tconvOutLength } from '../types.js';
import {
  CONV_TILES,
  type ConvEpilogue,
  type ConvKind,
  type ConvTile,
  type InferenceWasm,
} from './wasm/inference.js';

/** One layer over inputs (cin, t, vm): vm positions per frame (persons x joints), frames along t. */
export interface ConvShape {
  cin: number;
  cout: number;
  kt: number;
  stride: number;
  pad: number;
  t: number;
  vm: number;
}

/** The widest register tile whose row count divides cout (so no output row is padded). */
export function convTileFor(cout: number): ConvTile {
  return CONV_TILES.find((tile) => cout % tile.mr === 0) ?? CONV_TILES[CONV_TILES.length - 1]!;
}

const int8Pairs = (s: ConvShape) => Math.ceil(s.cin / 2);

/** Bytes of one channel pair's (int8) or channel's (f32) plane: the frames plus the zero padding. */
export const paddedPlaneBytes = (s: ConvShape) => (s.t + 2 * s.pad) * s.vm * 4;

/** Planes of the input: channel pairs for int8, channels for f32. */
const planes = (s: ConvShape, kind: ConvKind) => (kind === 'int8' ? int8Pairs(s) : s.cin);

/** Bytes of the kernel's input (quantised for int8), padding included. */
export const convInputBytes = (s: ConvShape, kind: ConvKind) => planes(s, kind) * paddedPlaneBytes(s);

/** Bytes of the packed weights (int16 pairs or floats: four bytes per plane, tap and output). */
export const convWeightBytes = (s: ConvShape, kind: ConvKind) => planes(s, kind) * s.kt * s.cout * 4;

/**
 * Packs int8 weights (cout, cin, kt) into `dst` (an int16 view of the memory) at int16 index `at`:
 * per block of mr rows, [pair][tap][row] as (w[o, 2p, k], w[o, 2p + 1, k]), zero past cin.
 */
export function packInt8Weights(dst: Int16Array, at: number, wq: Int8Array, s: ConvShape): void {
  const { mr } = convTileFor(s.cout);
  const pairs = int8Pairs(s);
  let i = at;
  for (let o0 = 0; o0 < s.cout; o0 += mr)
    for (let p = 0; p < pairs; p++)
      for (let k = 0; k < s.kt; k++)
        for (let r = 0; r < mr; r++) {
          const o = o0 + r;
          const c = 2 * p;
          dst[i++] = wq[(o * s.cin + c) * s.kt + k]!;
          dst[i++] = c + 1 < s.cin ? wq[(o * s.cin + c + 1) * s.kt + k]! : 0;
        }
}

/**
 * Quantises float channels (cin planes of t * vm floats at byte `src`) with 1 / scale = `inv` into
 * the padded pair planes at byte `dst`. An odd last channel pairs with the float zeros at `zeros`
 * (at least t * vm + 4 floats). Reads up to 3 floats past each plane; writes nothing outside the
 * convInputBytes(s, 'int8') + 12 bytes from dst.
 */
export function quantizeInt8Input(
  w: InferenceWasm,
  s: ConvShape,
  src: number,
  zeros: number,
  dst: number,
  inv: number,
): void {
  const plane = s.t * s.vm * 4;
  const padBytes = s.pad * s.vm * 4;
  const pairBytes = paddedPlaneBytes(s);
  const vectors = Math.ceil((s.t * s.vm) / 4);
  for (let p = 0; p < int8Pairs(s); p++) {
    const c = 2 * p;
    const src1 = c + 1 < s.cin ? src + (c + 1) * plane : zeros;
    w.quantPair(
      src + c * plane,
      src1,
      dst + p * pairBytes + padBytes,
      vectors,
      inv,
      padBytes,
      plane,
      padBytes,
    );
  }
}

/** Packs float weights (cout, cin, kt) into `dst` at float index `at`: per block of mr rows, [c][tap][row]. */
export function packF32Weights(dst: Float32Array, at: number, w: ArrayLike<number>, s: ConvShape): void {
  const { mr } = convTileFor(s.cout);
  let i = at;
  for (let o0 = 0; o0 < s.cout; o0 += mr)
    for (let c = 0; c < s.cin; c++)
      for (let k = 0; k < s.kt; k++)
        for (let r = 0; r < mr; r++) dst[i++] = w[((o0 + r) * s.cin + c) * s.kt + k]!;
}

/**
 * Zeroes the padding frames of each channel plane of a float input at byte `dst` whose data a producer
 * wrote in place (planes paddedPlaneBytes apart, data after `pad` frames).
 */
export function zeroF32Padding(f32: Float32Array, s: ConvShape, dst: number): void {
  if (s.pad === 0) return;
  const pad = s.pad * s.vm;
  const plane = paddedPlaneBytes(s) / 4;
  for (let c = 0, at = dst / 4; c < s.cin; c++, at += plane) {
    f32.fill(0, at, at + pad);
    f32.fill(0, at + plane - pad, at + plane);
  }
}

/** Pointers of one convolution call (bytes). `scale` and `bias` hold cout floats each. */
export interface ConvBuffers {
  x: number;
  weights: number;
  out: number;
  scale: number;
  bias: number;
  /** At least convEdgeBytes(tile) of scratch. */
  edge: number;
  /** Epilogue 'addRelu': the tensor added before the ReLU, laid out as the output. */
  add?: number;
}

/**
 * int8: out (cout, tout, vm) float = (sum_{c, k} wq[o, c, k] xq[c, t * stride + k - pad]) * scale[o] +
 * bias[o], from the quantised input at b.x (quantizeInt8Input) and weights at b.weights
 * (packInt8Weights). f32: out = sum w x + bias over the padded float input and packF32Weights' weights
 * (b.scale is not read). Then ReLU ('relu'), or + b.add and ReLU ('addRelu').
 */
export function convSimd(
  w: InferenceWasm,
  s: ConvShape,
  b: ConvBuffers,
  epilogue: ConvEpilogue,
  kind: ConvKind,
): void {
  if (epilogue === 'addRelu' && b.add === undefined) throw new RangeError('convSimd: addRelu needs b.add');
  const tile = convTileFor(s.cout);
  const width = 4 * tile.nv;
  const tout = tconvOutLength(s);
  // Stride 1: all output frames are one run of positions. Otherwise one run per output frame.
  const rows = s.stride === 1 ? 1 : tout;
  const run = s.stride === 1 ? tout * s.vm : s.vm;
  const tiles = Math.ceil(run / width);
  const lastBytes = (run - (tiles - 1) * width) * 4;
  w.conv(tile, epilogue, kind)(
    b.x,
    b.weights,
    b.out,
    b.scale,
    b.bias,
    s.cout / tile.mr,
    rows,
    tiles,
    lastBytes,
    s.stride * s.vm * 4,
    s.vm * 4,
    planes(s, kind),
    s.kt,
    s.vm * 4,
    paddedPlaneBytes(s),
    tout * s.vm * 4,
    b.edge,
    (b.add ?? b.out) - b.out,
  );
}
