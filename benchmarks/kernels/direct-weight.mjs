/** Direct (no im2col) vs im2col + gemm weight gradient of the temporal convolution, same process, interleaved: `node benchmarks/kernels/direct-weight.mjs`. */
import { cpuBackend, setDirectConv, tconvOutLength } from '@asma/kernels';
import { Rng } from '@asma/util';

const rng = new Rng(1);
const rand = (n) => {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
  return a;
};
for (const [n, cin, cout, t, kt] of [
  [32, 16, 16, 50, 9],
  [32, 32, 32, 25, 9],
  [32, 64, 64, 13, 9],
  [32, 256, 256, 13, 9],
  [32, 16, 48, 50, 1],
]) {
  const p = { n, cin, cout, t, v: 25, kt, stride: 1, pad: (kt - 1) / 2 };
  const to = tconvOutLength(p);
  const x = rand(n * cin * t * 25),
    dy = rand(n * cout * to * 25);
  const dw = new Float32Array(cout * cin * kt),
    db = new Float32Array(cout);
  const R = cin * cout > 10000 ? 2 : 10;
  const res = { direct: [], im2col: [] };
  for (let round = 0; round < 5; round++)
    for (const mode of ['direct', 'im2col']) {
      setDirectConv(mode === 'direct');
      const t0 = performance.now();
      for (let r = 0; r < R; r++) cpuBackend.tconvBackwardWeight(dw, db, dy, x, p);
      if (round) res[mode].push((performance.now() - t0) / R);
    }
  const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const gf = (ms) => ((2 * n * cout * cin * kt * to * 25) / ms / 1e6).toFixed(1);
  const d = med(res.direct),
    j = med(res.im2col);
  console.log(
    `n${n} cin${cin} cout${cout} t${t} kt${kt}: dw direct ${d.toFixed(2)} ms (${gf(d)} GF/s) im2col ${j.toFixed(2)} (${gf(j)}) ratio ${(j / d).toFixed(2)}`,
  );
}
