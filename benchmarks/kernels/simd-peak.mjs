#!/usr/bin/env node
/**
 * The WebAssembly SIMD ceiling of this CPU for the inference kernels: a loop of eight independent
 * accumulators and nothing else (no memory traffic), one thread. f32: f32x4 mul + add (what the float
 * inference kernel does), and relaxed_madd where this runtime has it; int8: i32x4.dot_i16x8_s + add (the
 * int8 kernel). Multiply-adds per second; compare with what a kernel reaches on real layers.
 * Run after `pnpm build`: node benchmarks/kernels/simd-peak.mjs
 */
import { buildModule, I32, op, V128 } from '../../packages/kernels/dist/cpu/wasm/encode.js';
import { countedLoop } from '../../packages/kernels/dist/cpu/wasm/tile.js';
import { median } from '../timing.mjs';

const ACC = 6;

/**
 * `peak(iterations)`: ACC accumulators, each updated once per iteration by `update(acc, x, w)` with its
 * own (x, w) pair: two x vectors that change every iteration times four w vectors, all loaded from
 * memory, so the engine can neither fold nor hoist nor share a product.
 */
function peakModule(update, step) {
  const N = 0;
  const X = [1, 2];
  const W = [3, 4, 5];
  const D = 6;
  const acc = (i) => 7 + i;
  const body = [];
  for (const x of X) body.push(...op.get(x), ...op.get(D), ...step, ...op.set(x));
  for (let i = 0; i < ACC; i++) body.push(...update(acc(i), X[i % 2], W[i % 3]), ...op.set(acc(i)));
  const fold = [];
  for (let i = 1; i < ACC; i++)
    fold.push(...op.get(acc(0)), ...op.get(acc(i)), ...op.i32x4Add, ...op.set(acc(0)));
  const load = (local, offset) => [...op.i32(0), ...op.v128Load(offset), ...op.set(local)];
  return buildModule(
    [
      {
        name: 'peak',
        params: [I32],
        locals: [[6 + ACC, V128]],
        body: [
          ...[...X, ...W, D].flatMap((l, i) => load(l, 16 * i)),
          ...countedLoop(N, body),
          ...fold,
          // Keep the result alive: store it.
          ...op.i32(256),
          ...op.get(acc(0)),
          ...op.v128Store(0),
        ],
      },
    ],
    1,
  );
}

const g = (i) => op.get(i);
const kernels = [
  [
    'f32x4 mul + add (the float kernel)',
    (a, x, w) => [...g(a), ...g(x), ...g(w), ...op.f32x4Mul, ...op.f32x4Add],
    4,
    op.f32x4Add,
  ],
  // relaxed_madd pops (a, b, c) and pushes a * b + c.
  [
    'f32x4.relaxed_madd (not used: CPU-dependent rounding)',
    (a, x, w) => [...g(x), ...g(w), ...g(a), ...op.f32x4RelaxedMadd],
    4,
    op.f32x4Add,
  ],
  [
    'i32x4.dot_i16x8_s + add (the int8 kernel)',
    (a, x, w) => [...g(a), ...g(x), ...g(w), ...op.i32x4DotI16x8S, ...op.i32x4Add],
    8,
    op.i32x4Add,
  ],
];
console.log(
  `WebAssembly SIMD peak, one thread, no memory traffic; kernels interleaved, median of 9 runs of 2e7 iterations x ${ACC} accumulators`,
);
const runs = [];
for (const [name, update, macsPerOp, step] of kernels) {
  const bytes = peakModule(update, step);
  if (!WebAssembly.validate(bytes)) {
    console.log(`${name}: not available in this runtime`);
    continue;
  }
  const { peak, memory } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports;
  const f = new Float32Array(memory.buffer, 0, 28);
  for (let i = 0; i < 24; i++) f[i] = 0.5 + i / 64;
  f.fill(1e-7, 24, 28);
  for (let w = 0; w < 20; w++) peak(1e5); // let the engine tier the function up (wasm has no OSR)
  runs.push({ name, peak, macsPerOp, ms: [] });
}
const n = 2e7;
for (let r = 0; r < 9; r++)
  for (const k of runs) {
    const t0 = performance.now();
    k.peak(n);
    k.ms.push(performance.now() - t0);
  }
for (const k of runs) {
  const macs = (n * ACC * k.macsPerOp) / (median(k.ms) / 1e3);
  console.log(`${k.name}: ${(macs / 1e9).toFixed(1)} G multiply-adds/s`);
}
