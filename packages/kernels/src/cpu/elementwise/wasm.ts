/**
 * The WebAssembly side of the element-wise kernels: one instance of the generated module
 * (../wasm/vector.ts) and the drivers that stream float32 data through its memory. Contiguous ops go
 * in chunks that stay in L2; batch norm copies the whole tensor in once (one memcpy), gathers each
 * channel's runs inside the module, and copies the result out once.
 */
import { runtimeOptions, setRuntimeOptions } from '../../runtime/options.js';
import type { ChannelRuns } from '../../types.js';
import { vectorModuleBytes } from '../wasm/vector.js';

type Fn = (...args: number[]) => number;

interface VectorExports {
  addRelu: Fn;
  reluMask: Fn;
  mul: Fn;
  affine: Fn;
  affineRelu: Fn;
  gradInput: Fn;
  sum: Fn;
  sumSq: Fn;
  gradSums: Fn;
  dropout: Fn;
  copyRuns: Fn;
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
}

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** Floats per stream in a chunk: three streams of 64 KiB stay in L2. */
const CHUNK = 16384;
/** Bytes 0-63 are scratch: gradSums' two float64 results at 0. */
const SCRATCH = 64;
const SUMS = 0;

let instance: VectorExports | null | undefined;
let f32 = new Float32Array(0);

function load(): VectorExports | null {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  const bytes = vectorModuleBytes();
  if (!api?.validate(bytes)) return null;
  return new api.Instance(new api.Module(bytes), {}).exports as unknown as VectorExports;
}

/** The instance, or null where WebAssembly SIMD is missing or the wasm path is switched off. */
export function vectorWasm(): VectorExports | null {
  if (!runtimeOptions().elementwiseWasm) return null;
  if (instance === undefined) instance = load();
  return instance;
}

/** Switch the WebAssembly element-wise path off (false) to run the JS loops, e.g. to compare them. */
export function setElementwiseWasm(on: boolean): void {
  setRuntimeOptions({ elementwiseWasm: on });
}

/** Byte offsets of consecutive 16-byte-aligned float buffers of the given lengths after the scratch. */
function layout(w: VectorExports, floats: readonly number[]): number[] {
  let at = SCRATCH;
  const offsets = floats.map((n) => {
    const o = at;
    at += Math.ceil((n + 4) / 4) * 16;
    return o;
  });
  const have = w.memory.buffer.byteLength;
  if (at > have) w.memory.grow(Math.ceil((Math.max(at, have * 1.5) - have) / 65536));
  if (f32.buffer !== w.memory.buffer) f32 = new Float32Array(w.memory.buffer);
  return offsets;
}

const vectors = (n: number) => Math.ceil(n / 4);

/** out = op(a, b) over equal-length float32 arrays, in chunks. */
export function binaryWasm(
  w: VectorExports,
  fn: Fn,
  out: Float32Array,
  a: Float32Array,
  b: Float32Array,
): void {
  const [A, B, O] = layout(w, [CHUNK, CHUNK, CHUNK]) as [number, number, number];
  for (let off = 0; off < out.length; off += CHUNK) {
    const len = Math.min(CHUNK, out.length - off);
    f32.set(a.subarray(off, off + len), A / 4);
    f32.set(b.subarray(off, off + len), B / 4);
    fn(O, A, B, vectors(len));
    out.set(f32.subarray(O / 4, O / 4 + len), off);
  }
}

/** Dropout: mask = (dropoutHash(key, base + i) >= threshold) ? scale : 0 and out = x * mask. */
export function dropoutWasm(
  w: VectorExports,
  out: Float32Array,
  mask: Float32Array,
  x: Float32Array,
  key: number,
  base: number,
  threshold: number,
  scale: number,
): void {
  const [X, M, Y] = layout(w, [CHUNK, CHUNK, CHUNK]) as [number, number, number];
  for (let off = 0; off < out.length; off += CHUNK) {
    const len = Math.min(CHUNK, out.length - off);
    f32.set(x.subarray(off, off + len), X / 4);
    w.dropout(Y, M, X, vectors(len), key, base + off, threshold, scale);
    out.set(f32.subarray(Y / 4, Y / 4 + len), off);
    mask.set(f32.subarray(M / 4, M / 4 + len), off);
  }
}

/** Floats of one channel block in the module: its inputs and outputs stay in L2. */
const BLOCK = 65536;

/**
 * Visits the channels in blocks of consecutive channels: `copyIn(src, at)` copies the block's part of
 * src ((N, C, inner) data) into the module at byte `at` as (N, block, inner), `copyOut` the reverse;
 * `channel(j, ch, stride)` runs on channel ch, the j-th of its block, whose runs lie `stride` bytes apart.
 */
function channelBlocks(
  r: ChannelRuns,
  [from, to]: readonly [number, number],
  visit: (
    c0: number,
    cb: number,
    copyIn: (src: Float32Array, at: number) => void,
    copyOut: (dst: Float32Array, at: number) => void,
  ) => void,
): void {
  const { n, c, inner } = r;
  const per = Math.max(1, Math.min(c, Math.floor(BLOCK / (n * inner))));
  for (let c0 = from; c0 < to; c0 += per) {
    const cb = Math.min(per, to - c0);
    const len = cb * inner;
    const copyIn = (src: Float32Array, at: number) => {
      for (let ni = 0; ni < n; ni++) {
        const o = (ni * c + c0) * inner;
        f32.set(src.subarray(o, o + len), at / 4 + ni * len);
      }
    };
    const copyOut = (dst: Float32Array, at: number) => {
      for (let ni = 0; ni < n; ni++)
        dst.set(f32.subarray(at / 4 + ni * len, at / 4 + (ni + 1) * len), (ni * c + c0) * inner);
    };
    visit(c0, cb, copyIn, copyOut);
  }
}

/** Floats of the largest channel block channelBlocks makes. */
function blockFloats(r: ChannelRuns): number {
  return Math.max(1, Math.min(r.c, Math.floor(BLOCK / (r.n * r.inner)))) * r.n * r.inner;
}

/**
 * Batch-norm forward over float32 x into out: for each channel, `coef(ch, sum, sumSq)` returns
 * [m, scale, shift] (it may call sum() and sumSq(m) on the channel's data first), then
 * out = (x - m) * scale + shift, with ReLU when `relu`.
 */
export function batchNormForwardWasm(
  w: VectorExports,
  out: Float32Array,
  x: Float32Array,
  r: ChannelRuns,
  channels: readonly [number, number],
  relu: boolean,
  coef: (ch: number, sum: () => number, sumSq: (m: number) => number) => [number, number, number],
): void {
  const { n, inner } = r;
  const chan = n * inner;
  const block = blockFloats(r);
  const [X, O, XC] = layout(w, [block, block, chan]) as [number, number, number];
  const runBytes = inner * 4;
  const affine = relu ? w.affineRelu : w.affine;
  channelBlocks(r, channels, (c0, cb, copyIn, copyOut) => {
    copyIn(x, X);
    const stride = cb * runBytes;
    for (let j = 0; j < cb; j++) {
      w.copyRuns(XC, runBytes, X + j * runBytes, stride, n, runBytes);
      const [m, scale, shift] = coef(
        c0 + j,
        () => w.sum(XC, n, inner, 0),
        (mean) => w.sumSq(XC, n, inner, mean),
      );
      affine(XC, XC, vectors(chan), m, scale, shift);
      w.copyRuns(O + j * runBytes, stride, XC, runBytes, n, runBytes);
    }
    copyOut(out, O);
  });
}

/**
 * Batch-norm backward over float32 data: g is masked by `reluOut > 0` first when given; per channel
 * `coef(ch, sg, sgxc)` gets sum g and sum g (x - m) and returns the input gradient's map:
 * [a, b, m, k] for gx = a (g - b - (x - m) k), or a number a for gx = a g.
 */
export function batchNormBackwardWasm(
  w: VectorExports,
  gx: Float32Array | null,
  g: Float32Array,
  x: Float32Array,
  reluOut: Float32Array | null,
  r: ChannelRuns,
  channels: readonly [number, number],
  mean: Float64Array,
  coef: (ch: number, sg: number, sgxc: number) => [number, number, number, number] | number,
): void {
  const { n, inner } = r;
  const chan = n * inner;
  const block = blockFloats(r);
  const [G, X, Y, GX, GC, XC, YC] = layout(w, [
    block,
    block,
    reluOut ? block : 0,
    gx ? block : 0,
    chan,
    chan,
    reluOut ? chan : 0,
  ]) as [number, number, number, number, number, number, number];
  const runBytes = inner * 4;
  const sums = new Float64Array(w.memory.buffer, SUMS, 2);
  channelBlocks(r, channels, (c0, cb, copyIn, copyOut) => {
    copyIn(g, G);
    copyIn(x, X);
    if (reluOut) copyIn(reluOut, Y);
    const stride = cb * runBytes;
    for (let j = 0; j < cb; j++) {
      const at = j * runBytes;
      w.copyRuns(GC, runBytes, G + at, stride, n, runBytes);
      w.copyRuns(XC, runBytes, X + at, stride, n, runBytes);
      if (reluOut) {
        w.copyRuns(YC, runBytes, Y + at, stride, n, runBytes);
        w.reluMask(GC, YC, GC, vectors(chan));
      }
      w.gradSums(GC, XC, n, inner, mean[c0 + j]!, SUMS);
      const map = coef(c0 + j, sums[0]!, sums[1]!);
      if (gx === null) continue;
      if (typeof map === 'number') w.affine(XC, GC, vectors(chan), 0, map, 0);
      else w.gradInput(XC, GC, XC, vectors(chan), ...map);
      w.copyRuns(GX + at, stride, XC, runBytes, n, runBytes);
    }
    if (gx) copyOut(gx, GX);
  });
}
