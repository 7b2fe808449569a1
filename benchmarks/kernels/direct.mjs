/** Direct (no im2col) vs im2col + gemm temporal convolution, same process, interleaved: `node benchmarks/kernels/direct.mjs [gcn]` (gcn: the 1x1 shapes). */
import { cpuBackend, setDirectConv, tconvOutLength } from '@asma/kernels';
import { Rng } from '@asma/util';

const rng = new Rng(1);
const rand = (n) => {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
  return a;
};
const shapes =
  process.argv[2] === 'gcn'
    ? [
        [32, 16, 48, 50, 1],
        [32, 64, 192, 13, 1],
        [32, 64, 768, 13, 1],
        [32, 3, 48, 50, 1],
      ].map(([n, ci, co, t]) => [n, ci, co, t, 1])
    : [
        [32, 16, 16, 50, 9],
        [32, 32, 32, 25, 9],
        [32, 64, 64, 13, 9],
        [32, 256, 256, 13, 9],
      ];
for (const [n, cin, cout, t, kt] of shapes) {
  const p = { n, cin, cout, t, v: 25, kt, stride: 1, pad: (kt - 1) / 2 };
  const to = tconvOutLength(p);
  const x = rand(n * cin * t * 25),
    w = rand(cout * cin * kt),
    b = rand(cout),
    dy = rand(n * cout * to * 25);
  const o = new Float32Array(n * cout * to * 25),
    dx = new Float32Array(x.length);
  const R = cin * cout > 10000 ? 2 : 10;
  const res = { direct: [[], []], im2col: [[], []] };
  for (let round = 0; round < 5; round++)
    for (const mode of ['direct', 'im2col']) {
      setDirectConv(mode === 'direct');
      let t0 = performance.now();
      for (let r = 0; r < R; r++) cpuBackend.tconvForward(o, x, w, b, p);
      const f = (performance.now() - t0) / R;
      t0 = performance.now();
      for (let r = 0; r < R; r++) cpuBackend.tconvBackwardInput(dx, dy, w, p);
      const h = (performance.now() - t0) / R;
      if (round) {
        res[mode][0].push(f);
        res[mode][1].push(h);
      }
    }
  const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const gf = (ms) => ((2 * n * cout * cin * kt * to * 25) / ms / 1e6).toFixed(1);
  const [df, dd] = res.direct.map(med),
    [jf, jd] = res.im2col.map(med);
  console.log(
    `n${n} cin${cin} cout${cout} t${t} kt${kt}: fwd direct ${df.toFixed(2)} ms (${gf(df)} GF/s) im2col ${jf.toFixed(2)} (${gf(jf)}) ratio ${(jf / df).toFixed(2)} | dx direct ${dd.toFixed(2)} (${gf(dd)}) old ${jd.toFixed(2)} (${gf(jd)}) ratio ${(jd / dd).toFixed(2)}`,
  );
}
