/** Register-tile shapes with the fused multiply-add, same process, interleaved: `node benchmarks/kernels/tile-shapes.mjs` (4x8: 43.5 GF/s direct conv vs 20.9-27.8 for 4x12, 8x8, 8x4, which spill). */
import { cpuBackend, gemm, tconvOutLength } from '@asma/kernels';
import { Rng } from '@asma/util';

const { adoptWasmShape } = await import('../../packages/kernels/dist/cpu/wasm/gemmF32.js');
const rng = new Rng(1);
const rand = (n) => {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
  return a;
};
const shapes = {
  '4x8': { mr: 4, nr: 8, unroll: 1, fma: true },
  '4x12': { mr: 4, nr: 12, unroll: 1, fma: true },
  '8x8': { mr: 8, nr: 8, unroll: 1, fma: true },
  '8x4': { mr: 8, nr: 4, unroll: 1, fma: true },
};
const p = { n: 8, cin: 256, cout: 256, t: 13, v: 25, kt: 9, stride: 1, pad: 4 };
const to = tconvOutLength(p);
const x = rand(p.n * p.cin * p.t * p.v),
  w = rand(p.cout * p.cin * 9),
  o = new Float32Array(p.n * p.cout * to * p.v);
const A = rand(512 * 512),
  B = rand(512 * 512),
  C = new Float32Array(512 * 512);
const res = {};
for (let round = 0; round < 5; round++)
  for (const [k, s] of Object.entries(shapes)) {
    adoptWasmShape(s);
    let t0 = performance.now();
    for (let r = 0; r < 3; r++) cpuBackend.tconvForward(o, x, w, null, p);
    const f = (performance.now() - t0) / 3;
    t0 = performance.now();
    for (let r = 0; r < 3; r++) gemm(512, 512, 512, A, 0, 512, 1, B, 0, 512, 1, C, 0, 512, false);
    const g = (performance.now() - t0) / 3;
    if (round) {
      res[k] ??= [];
      res[k].push([f, g]);
    }
  }
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const fl = 2 * p.n * p.cout * p.cin * 9 * to * p.v;
for (const k in res) {
  const f = med(res[k].map((r) => r[0])),
    g = med(res[k].map((r) => r[1]));
  console.log(
    k,
    'direct conv',
    (fl / f / 1e6).toFixed(1),
    'GF/s; gemm 512^3',
    ((2 * 512 ** 3) / g / 1e6).toFixed(1),
    'GF/s',
  );
}
