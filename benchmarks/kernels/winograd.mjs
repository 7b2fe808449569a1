#!/usr/bin/env node
/**
 * Winograd F(3, 3) against the direct kernels on ST-GCN's stride-1 9-tap layers, same process,
 * interleaved (setWinograd on/off), forward, backward-input and backward-weight, one thread. Run after
 * `pnpm build`: node benchmarks/kernels/winograd.mjs [--n 32]
 */
import { parseArgs } from 'node:util';
import {
  Rng,
  setWinograd,
  tconvBackwardInputCpu,
  tconvBackwardWeightCpu,
  tconvForwardCpu,
  tconvOutLength,
} from '../../packages/kernels/dist/index.js';
import { toggleAb } from './toggle.mjs';

const { values } = parseArgs({ options: { n: { type: 'string', default: '32' } } });
const n = Number(values.n);
const rng = new Rng(1);
const rnd = (len) => Float32Array.from({ length: len }, () => rng.uniform(-1, 1));
console.log(
  `N = ${n}, one thread\n| layer | pass | Winograd ms | direct ms | direct / Winograd |\n|---|---|---:|---:|---:|`,
);
for (const [c, t] of [
  [256, 13],
  [64, 13],
]) {
  const p = { n, cin: c, cout: c, t, v: 25, kt: 9, stride: 1, pad: 4 };
  const to = tconvOutLength(p);
  const x = rnd(n * c * t * 25);
  const w = rnd(c * c * 9);
  const dy = rnd(n * c * to * 25);
  const y = new Float32Array(dy.length);
  const dx = new Float32Array(x.length);
  const dw = new Float32Array(w.length);
  for (const [pass, run] of [
    ['forward', () => tconvForwardCpu(y, x, w, null, p)],
    ['backward-input', () => tconvBackwardInputCpu(dx, dy, w, p)],
    ['backward-weight', () => tconvBackwardWeightCpu(dw, null, dy, x, p)],
  ]) {
    const { on, off } = toggleAb(setWinograd, run);
    console.log(
      `| ${c} ch, T ${t} | ${pass} | ${on.toFixed(1)} | ${off.toFixed(1)} | ${(off / on).toFixed(2)} |`,
    );
  }
}
