#!/usr/bin/env node
/**
 * Strided (stride 2) temporal convolutions on the direct kernel's phase decomposition against
 * im2col + gemm, same process, interleaved, ST-GCN's two stride-2 layers at B = 16. Run after
 * `pnpm build`: node benchmarks/kernels/strided.mjs
 */
import {
  Rng,
  setDirectConv,
  tconvBackwardInputCpu,
  tconvForwardCpu,
  tconvOutLength,
} from '../../packages/kernels/dist/index.js';
import { toggleAb } from './toggle.mjs';

const rng = new Rng(1);
const rnd = (n) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
console.log('| layer | pass | direct ms | im2col ms | im2col / direct |\n|---|---|---:|---:|---:|');
for (const [cin, t] of [
  [64, 25],
  [32, 50],
]) {
  const p = { n: 16, cin, cout: cin, t, v: 25, kt: 9, stride: 2, pad: 4 };
  const to = tconvOutLength(p);
  const x = rnd(16 * cin * t * 25);
  const w = rnd(cin * cin * 9);
  const dy = rnd(16 * cin * to * 25);
  const y = new Float32Array(dy.length);
  const dx = new Float32Array(x.length);
  for (const [pass, run] of [
    ['forward', () => tconvForwardCpu(y, x, w, null, p)],
    ['backward-input', () => tconvBackwardInputCpu(dx, dy, w, p)],
  ]) {
    const { on, off } = toggleAb(setDirectConv, run);
    console.log(
      `| ${cin} ch, T ${t} | ${pass} | ${on.toFixed(1)} | ${off.toFixed(1)} | ${(off / on).toFixed(2)} |`,
    );
  }
}
