/**
 * Driving the int8 WebAssembly module (wasm/int8.ts) for one (kt x 1) convolution layer: the register
 * tile it takes, its packed weights, and the argument lists of the quantiser and the convolution. All
 * pointers are byte offsets into the instance's memory; nothing here allocates per call.
 */
import { tconvOutLength } from '../types.js';
import { INT8_TILES, type Int8Epilogue, type Int8Tile, type Int8Wasm } from './wasm/int8.js';

/** One layer over inputs (cin, t, vm): vm positions per frame (persons x joints), frames along t. */
export interface Int8ConvShape {
  cin: number;
  cout: number;
  kt: number;
  stride: number;
  pad: number;
  t: number;
  vm: number;
}

/** The widest register tile whose row count divides cout (so no output row is padded). */
export function int8TileFor(cout: number): Int8Tile {
  return INT8_TILES.find((tile) => cout % tile.mr === 0) ?? INT8_TILES[INT8_TILES.length - 1]!;
}

export const int8Pairs = (s: Int8ConvShape) => Math.ceil(s.cin / 2);

/** Bytes of one channel pair's plane: the input frames plus the zero padding on both sides. */
export const int8PairBytes = (s: Int8ConvShape) => (s.t + 2 * s.pad) * s.vm * 4;

/** Bytes of the quantised input, padding included. */
export const int8InputBytes = (s: Int8ConvShape) => int8Pairs(s) * int8PairBytes(s);

/** Bytes of the packed weights. */
export const int8WeightBytes = (s: Int8ConvShape) => int8Pairs(s) * s.kt * s.cout * 4;

/**
 * Packs int8 weights (cout, cin, kt) into `dst` (an int16 view of the memory) at int16 index `at`:
 * per block of mr rows, [pair][tap][row] as (w[o, 2p, k], w[o, 2p + 1, k]), zero past cin.
 */
export function packInt8Weights(dst: Int16Array, at: number, wq: Int8Array, s: Int8ConvShape): void {
  const { mr } = int8TileFor(s.cout);
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
 * int8InputBytes(s) + 12 bytes from dst.
 */
export function quantizeInt8Input(
  w: Int8Wasm,
  s: Int8ConvShape,
  src: number,
  zeros: number,
  dst: number,
  inv: number,
): void {
  const plane = s.t * s.vm * 4;
  const padBytes = s.pad * s.vm * 4;
  const pairBytes = int8PairBytes(s);
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

/** Pointers of one convolution call (bytes). `scale` and `bias` hold cout floats each. */
export interface Int8ConvBuffers {
  x: number;
  weights: number;
  out: number;
  scale: number;
  bias: number;
  /** At least int8EdgeBytes(tile) of scratch. */
  edge: number;
  /** Epilogue 'addRelu': the tensor added before the ReLU, laid out as the output. */
  add?: number;
}

/**
 * out (cout, tout, vm) float = (sum_{c, k} wq[o, c, k] xq[c, t * stride + k - pad]) * scale[o] + bias[o],
 * from the quantised input at b.x (quantizeInt8Input) and weights at b.weights (packInt8Weights);
 * then ReLU ('relu'), or + b.add and ReLU ('addRelu').
 */
export function int8ConvSimd(
  w: Int8Wasm,
  s: Int8ConvShape,
  b: Int8ConvBuffers,
  epilogue: Int8Epilogue = 'none',
): void {
  if (epilogue === 'addRelu' && b.add === undefined)
    throw new RangeError('int8ConvSimd: addRelu needs b.add');
  const tile = int8TileFor(s.cout);
  const width = 4 * tile.nv;
  const tout = tconvOutLength(s);
  // Stride 1: all output frames are one run of positions. Otherwise one run per output frame.
  const rows = s.stride === 1 ? 1 : tout;
  const run = s.stride === 1 ? tout * s.vm : s.vm;
  const tiles = Math.ceil(run / width);
  const lastBytes = (run - (tiles - 1) * width) * 4;
  w.conv(tile, epilogue)(
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
    int8Pairs(s),
    s.kt,
    s.vm * 4,
    int8PairBytes(s),
    tout * s.vm * 4,
    b.edge,
    (b.add ?? b.out) - b.out,
  );
}
