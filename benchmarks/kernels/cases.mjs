/**
 * The benchmarked kernel cases: one shape each, run by several implementations.
 * GFLOP/s counts 2 flops per multiply-add. The reference and naive implementations of the
 * temporal convolution are timed on a 2-sample batch (the same per-sample work: they would
 * take tens of seconds per call at N = 32); the cpu backend runs the full N = 32 batch.
 *
 * The cpu backend appears twice: `cpu-js` (setGemmPath('js'): the JS gemm, float64 packing and
 * accumulation, 4x4 tile) and `cpu-wasm-simd` (setGemmPath('wasm'): the WebAssembly SIMD float32 gemm,
 * 4x8 f32x4 tile), the default for float32 products above the crossover.
 */
import { cpuBackend, referenceBackend, setGemmPath, tconvOutLength } from '@asma/kernels';

/** fn run with gemm forced onto one path, as its own backend row. */
function onPath(path, fn) {
  return () => {
    const prev = setGemmPath(path);
    try {
      fn();
    } finally {
      setGemmPath(prev);
    }
  };
}

/** The cpu backend's two gemm paths on the same call. */
function cpuRows(flops, fn, note) {
  const extra = note ? { note } : {};
  return [
    { backend: 'cpu-js', flops, fn: onPath('js', fn), ...extra },
    { backend: 'cpu-wasm-simd', flops, fn: onPath('wasm', fn), ...extra },
  ];
}

function rand(size, seed) {
  // Small LCG: benchmark data need not be statistically good, only deterministic and nonzero.
  const a = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

/** Plain i-k-j triple loop over Float32Array: the baseline any JS programmer writes first. */
export function naiveMatmul(c, a, b, m, k, n) {
  c.fill(0);
  for (let i = 0; i < m; i++)
    for (let q = 0; q < k; q++) {
      const av = a[i * k + q];
      const ai = i * n;
      const bq = q * n;
      for (let j = 0; j < n; j++) c[ai + j] += av * b[bq + j];
    }
}

/** Direct temporal convolution, loops in the i-k-j spirit (innermost loop contiguous over t*V + v). */
export function naiveTconv(out, x, w, p) {
  const to = tconvOutLength(p);
  const cols = to * p.v;
  out.fill(0);
  for (let ni = 0; ni < p.n; ni++)
    for (let co = 0; co < p.cout; co++) {
      const o = (ni * p.cout + co) * cols;
      for (let ci = 0; ci < p.cin; ci++)
        for (let q = 0; q < p.kt; q++) {
          const wv = w[(co * p.cin + ci) * p.kt + q];
          const xb = (ni * p.cin + ci) * p.t * p.v;
          for (let t = 0; t < to; t++) {
            const ti = t * p.stride - p.pad + q;
            if (ti < 0 || ti >= p.t) continue;
            const xo = xb + ti * p.v;
            const oo = o + t * p.v;
            for (let v = 0; v < p.v; v++) out[oo + v] += wv * x[xo + v];
          }
        }
    }
}

function matmulCase(s) {
  const a = rand(s * s, 1);
  const b = rand(s * s, 2);
  const c = new Float32Array(s * s);
  const args = { batch: 1, m: s, k: s, n: s };
  return {
    name: `matmul ${s}^3`,
    impls: [
      { backend: 'cpu-reference', flops: 2 * s ** 3, fn: () => referenceBackend.matmul(c, a, b, args) },
      { backend: 'naive-ikj', flops: 2 * s ** 3, fn: () => naiveMatmul(c, a, b, s, s, s) },
      ...cpuRows(2 * s ** 3, () => cpuBackend.matmul(c, a, b, args)),
    ],
  };
}

/** ST-GCN temporal convolution (stride 1, 'same' padding) with c channels in and out. */
function tconvCase(n, slowN, c, t) {
  const shape = (nn) => ({ n: nn, cin: c, cout: c, t, v: 25, kt: 9, stride: 1, pad: 4 });
  const flops = (nn) => 2 * nn * c * c * 9 * t * 25;
  const p = shape(n);
  const ps = shape(slowN);
  const x = rand(n * c * t * 25, 3);
  const w = rand(c * c * 9, 4);
  const bias = rand(c, 5);
  const out = new Float32Array(n * c * t * 25);
  return {
    name: `tconv fwd N=${n} C=${c} kt=9 T=${t} V=25`,
    impls: [
      {
        backend: 'cpu-reference',
        note: `N=${slowN}`,
        flops: flops(slowN),
        fn: () => referenceBackend.tconvForward(out, x, w, bias, ps),
      },
      { backend: 'naive-ikj', note: `N=${slowN}`, flops: flops(slowN), fn: () => naiveTconv(out, x, w, ps) },
      ...cpuRows(flops(n), () => cpuBackend.tconvForward(out, x, w, bias, p)),
    ],
  };
}

/** Both backward products of the temporal convolution (c channels in and out, stride 1, pad 4). */
function tconvBackwardCases(n, c, t) {
  const p = { n, cin: c, cout: c, t, v: 25, kt: 9, stride: 1, pad: 4 };
  const flops = 2 * n * c * c * 9 * t * 25;
  const x = rand(n * c * t * 25, 6);
  const w = rand(c * c * 9, 7);
  const dy = rand(n * c * t * 25, 8);
  const dx = new Float32Array(x.length);
  const dw = new Float32Array(w.length);
  const db = new Float32Array(c);
  const shape = `N=${n} C=${c} kt=9 T=${t} V=25`;
  return [
    {
      name: `tconv bwd-input ${shape}`,
      impls: cpuRows(flops, () => cpuBackend.tconvBackwardInput(dx, dy, w, p)),
    },
    {
      name: `tconv bwd-weight ${shape}`,
      impls: cpuRows(flops, () => cpuBackend.tconvBackwardWeight(dw, db, dy, x, p)),
    },
  ];
}

/** ST-GCN graph aggregation (K = 3 adjacency subsets, V = W = 25 joints): skinny gemms, k = n = 25. */
function graphAggCase(n, c, t) {
  const p = { n, k: 3, c, t, v: 25, w: 25 };
  const x = rand(n * 3 * c * t * 25, 9);
  const a = rand(3 * 25 * 25, 10);
  const y = new Float32Array(n * c * t * 25);
  return {
    name: `graphAgg fwd N=${n} K=3 C=${c} T=${t} V=W=25`,
    impls: cpuRows(2 * n * 3 * c * t * 25 * 25, () => cpuBackend.graphAggForward(y, x, a, p)),
  };
}

/** A small ST-GCN's first temporal convolution per sample: 16 x 1250 output, depth 16*9. */
function skinnyCase() {
  const [m, k, n] = [16, 144, 1250];
  const a = rand(m * k, 11);
  const b = rand(k * n, 12);
  const c = new Float32Array(m * n);
  const args = { batch: 1, m, k, n };
  return {
    name: `matmul ${m}x${k}x${n}`,
    impls: [
      { backend: 'naive-ikj', flops: 2 * m * k * n, fn: () => naiveMatmul(c, a, b, m, k, n) },
      ...cpuRows(2 * m * k * n, () => cpuBackend.matmul(c, a, b, args)),
    ],
  };
}

/** quick: smaller batch for a smoke run. */
export function kernelCases(quick) {
  const n = quick ? 2 : 32;
  // The hot layer of ST-GCN-16 (batch 16, two views), then an early 64-channel layer.
  return [
    matmulCase(256),
    matmulCase(512),
    skinnyCase(),
    tconvCase(n, 2, 256, 13),
    tconvCase(n, 2, 64, 50),
    ...tconvBackwardCases(n, 64, 50),
    graphAggCase(n, 64, 50),
  ];
}
