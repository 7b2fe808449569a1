/**
 * Element-wise kernels with `out` parameters: the memory-bound ops around the convolutions. Float32
 * arrays run through the WebAssembly SIMD module where the runtime has one (bit-identical to the JS
 * loops, which float64 data and other runtimes use). Batch norm takes (N, C, inner) data as channel runs.
 */
import type { BatchNormBackwardArgs, BatchNormForwardArgs, FloatArray } from '../../types.js';
import { dropoutHash } from './hash.js';
import {
  addReluLoop,
  channelAffine,
  channelGradInput,
  channelGradSums,
  channelRelu,
  channelSum,
  channelSumSq,
  mulLoop,
  reluMaskLoop,
} from './loops.js';
import { batchNormBackwardWasm, batchNormForwardWasm, binaryWasm, dropoutWasm, vectorWasm } from './wasm.js';

/** Below this many elements the JS loop beats copying into the module. */
const WASM_MIN = 256;
/** Shortest channel run worth gathering inside the module (batch norm over (N, C) has runs of 1). */
const WASM_MIN_RUN = 16;

const allF32 = (...arrays: (FloatArray | null)[]): boolean =>
  arrays.every((a) => a === null || a instanceof Float32Array);

function checkLengths(op: string, out: FloatArray, ...inputs: FloatArray[]): void {
  for (const a of inputs)
    if (a.length !== out.length)
      throw new RangeError(`${op}: every array must have ${out.length} elements, got ${a.length}`);
}

function wasmFor(n: number, ...arrays: (FloatArray | null)[]) {
  return n >= WASM_MIN && allF32(...arrays) ? vectorWasm() : null;
}

/** out = relu(a + b) (NaN and -0 give +0). */
export function addReluInto(out: FloatArray, a: FloatArray, b: FloatArray): void {
  checkLengths('addReluInto', out, a, b);
  const w = wasmFor(out.length, out, a, b);
  if (w) binaryWasm(w, w.addRelu, out as Float32Array, a as Float32Array, b as Float32Array);
  else addReluLoop(out, a, b);
}

/** out = x > 0 ? src : +0 (ReLU's mask; NaN and -0 in x give +0). */
export function reluMaskInto(out: FloatArray, src: FloatArray, x: FloatArray): void {
  checkLengths('reluMaskInto', out, src, x);
  const w = wasmFor(out.length, out, src, x);
  // The module's reluMask(o, a, b) is a > 0 ? b : 0.
  if (w) binaryWasm(w, w.reluMask, out as Float32Array, x as Float32Array, src as Float32Array);
  else reluMaskLoop(out, src, x);
}

/** out = a * b. */
export function mulInto(out: FloatArray, a: FloatArray, b: FloatArray): void {
  checkLengths('mulInto', out, a, b);
  const w = wasmFor(out.length, out, a, b);
  if (w) binaryWasm(w, w.mul, out as Float32Array, a as Float32Array, b as Float32Array);
  else mulLoop(out, a, b);
}

/**
 * Inverted dropout with 0 < p < 1 over elements base .. base + n - 1 of a call keyed by `key`:
 * mask[i] = dropoutHash(key, base + i) >= p * 2^32 ? 1 / (1 - p) : 0 (stored in the mask's precision),
 * out = x * mask. Counter-based: any range can be drawn on its own (threads split a call this way).
 */
export function dropoutInto(
  out: FloatArray,
  mask: FloatArray,
  x: FloatArray,
  p: number,
  key: number,
  base = 0,
): void {
  checkLengths('dropoutInto', out, mask, x);
  if (!(p > 0 && p < 1)) throw new RangeError(`dropoutInto: p must lie in (0, 1), got ${p}`);
  const threshold = p * 4294967296;
  const scale = 1 / (1 - p);
  // draw >= threshold <=> draw >= ceil(threshold) for integer draws; 2^32 would keep nothing.
  const whole = Math.ceil(threshold);
  const w = whole < 4294967296 ? wasmFor(out.length, out, mask, x) : null;
  if (w) {
    dropoutWasm(w, out as Float32Array, mask as Float32Array, x as Float32Array, key, base, whole | 0, scale);
    return;
  }
  // `scale * +(keep)` avoids a branch that mispredicts at p = 0.5.
  for (let i = 0; i < out.length; i++) mask[i] = scale * +(dropoutHash(key, base + i) >= threshold);
  mulLoop(out, x, mask);
}

/** out = (x - mean) * rstd * weight + bias per channel [then ReLU]. */
export function batchNormForwardInto(a: BatchNormForwardArgs): void {
  const { x, out, runs, training, mean, variance, rstd, eps, weight, bias, relu } = a;
  const channels = a.channels ?? [0, runs.c];
  const count = runs.n * runs.inner;
  const coef = (ch: number, sum: () => number, sumSq: (m: number) => number): [number, number, number] => {
    if (training) {
      mean[ch] = sum() / count;
      variance[ch] = sumSq(mean[ch]!) / count;
    }
    rstd[ch] = 1 / Math.sqrt(variance[ch]! + eps);
    return [mean[ch]!, rstd[ch]! * (weight ? weight[ch]! : 1), bias ? bias[ch]! : 0];
  };
  const w = runs.inner >= WASM_MIN_RUN ? wasmFor(out.length, out, x) : null;
  if (w) {
    batchNormForwardWasm(w, out as Float32Array, x as Float32Array, runs, channels, relu, coef);
    return;
  }
  for (let ch = channels[0]; ch < channels[1]; ch++) {
    const [m, scale, shift] = coef(
      ch,
      () => channelSum(x, runs, ch, 0),
      (mu) => channelSumSq(x, runs, ch, mu),
    );
    channelAffine(out, x, runs, ch, m, scale, shift);
    if (relu) channelRelu(out, runs, ch);
  }
}

/**
 * Batch norm's closed-form backward: dx = w r (g - mean(g) - xhat mean(g xhat)) in training (the batch
 * statistics depend on x), else w r g.
 */
export function batchNormBackwardInto(a: BatchNormBackwardArgs): void {
  const { g, x, reluOut, runs, mean, rstd, weight, training, gx, sumG, sumGXhat } = a;
  const channels = a.channels ?? [0, runs.c];
  const count = runs.n * runs.inner;
  const coef = (ch: number, sg: number, sgxc: number): [number, number, number, number] | number => {
    const r = rstd[ch]!;
    const sgx = sgxc * r;
    sumG[ch] = sg;
    sumGXhat[ch] = sgx;
    const wr = (weight ? weight[ch]! : 1) * r;
    return training ? [wr, sg / count, mean[ch]!, (r * sgx) / count] : wr;
  };
  const w = runs.inner >= WASM_MIN_RUN ? wasmFor(g.length, g, x, reluOut, gx) : null;
  if (w) {
    const f = (a: FloatArray | null) => a as Float32Array | null;
    batchNormBackwardWasm(
      w,
      f(gx),
      g as Float32Array,
      x as Float32Array,
      f(reluOut),
      runs,
      channels,
      mean as Float64Array, // the CPU backends' statistics are float64 (allocateStats)
      coef,
    );
    return;
  }
  let gm = g;
  if (reluOut) {
    gm = g instanceof Float32Array ? new Float32Array(g.length) : new Float64Array(g.length);
    reluMaskLoop(gm, g, reluOut);
  }
  for (let ch = channels[0]; ch < channels[1]; ch++) {
    const [sg, sgxc] = channelGradSums(gm, x, runs, ch, mean[ch]!);
    const map = coef(ch, sg, sgxc);
    if (!gx) continue;
    if (typeof map === 'number') channelAffine(gx, gm, runs, ch, 0, map, 0);
    else channelGradInput(gx, gm, x, runs, ch, { a: map[0], b: map[1], m: map[2], k: map[3] });
  }
}
