#!/usr/bin/env node
/**
 * Where does the wasm SIMD float32 gemm start to beat the JS one? Times both paths (setGemmPath 'js'
 * vs 'wasm') on small cubes and on the skinny shapes ST-GCN produces, interleaved over rounds, and
 * prints the median time ratio js / wasm (above 1: wasm wins). WASM_MIN_MACS in
 * packages/kernels/src/cpu/gemm.ts is chosen from this table. Run after `pnpm build`:
 * `node benchmarks/kernels/crossover.mjs [--rounds N]`.
 */
import { parseArgs } from 'node:util';
import { gemm, setGemmPath, WASM_MIN_MACS } from '@asma/kernels';
import { median } from '../timing.mjs';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' } } });
const rounds = Number.parseInt(values.rounds, 10);

const shapes = [
  [2, 2, 2],
  [4, 4, 4],
  [5, 5, 5],
  [6, 6, 6],
  [7, 7, 7],
  [8, 8, 8],
  [4, 8, 16],
  [12, 12, 12],
  [16, 16, 16],
  [24, 24, 24],
  [32, 32, 32],
  [4, 25, 25],
  [8, 25, 25],
  [16, 25, 25],
  [4, 64, 9],
  [1, 1250, 36],
  [4, 1250, 4],
  [4, 36, 64],
  [64, 64, 64],
];

function rand(size, seed) {
  const a = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

/** Mean microseconds per call over >= 20 ms of calls. */
function time(fn) {
  for (let i = 0; i < 50; i++) fn();
  let reps = 0;
  const t0 = performance.now();
  let t = 0;
  do {
    for (let i = 0; i < 20; i++) fn();
    reps += 20;
    t = performance.now() - t0;
  } while (t < 20);
  return (t / reps) * 1000;
}

const prev = setGemmPath('auto');
console.log(`WASM_MIN_MACS = ${WASM_MIN_MACS}; ${rounds} interleaved rounds, median\n`);
console.log('| m x n x k | m*n*k | cpu-js us | cpu-wasm-simd us | js / wasm |');
console.log('|---|---:|---:|---:|---:|');
for (const [m, n, k] of shapes) {
  const a = rand(m * k, 1);
  const b = rand(k * n, 2);
  const c = new Float32Array(m * n);
  const run = () => gemm(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, n, false);
  const t = { js: [], wasm: [] };
  for (let r = 0; r < rounds; r++)
    for (const p of ['js', 'wasm']) {
      setGemmPath(p);
      t[p].push(time(run));
    }
  const js = median(t.js);
  const wasm = median(t.wasm);
  console.log(
    `| ${m}x${n}x${k} | ${m * n * k} | ${js.toFixed(2)} | ${wasm.toFixed(2)} | ${(js / wasm).toFixed(2)} |`,
  );
}
setGemmPath(prev);
