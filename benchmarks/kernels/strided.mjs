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

const rng = new Rng(1);
const rnd = (n) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
const median = (f, reps = 7) => {
  f();
  const t = [];
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    f();
    t.push(performance.now() - s);
  }
  return t.sort((a, b) => a - b)[reps >> 1];
};
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
    const ms = { true: [], false: [] };
    for (let r = 0; r < 3; r++)
      for (const on of [true, false]) {
        setDirectConv(on);
        ms[on].push(median(run));
      }
    setDirectConv(true);
    const [d, g] = [ms.true, ms.false].map((a) => a.sort((u, v) => u - v)[1]);
    console.log(
      `| ${cin} ch, T ${t} | ${pass} | ${d.toFixed(1)} | ${g.toFixed(1)} | ${(g / d).toFixed(2)} |`,
    );
  }
}
