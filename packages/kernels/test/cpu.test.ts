/** Every cpu kernel equals the float64 reference on random shapes, for float32 and float64 storage. */
import {
  cpuBackend,
  type FloatArray,
  getBackend,
  graphAggBackwardAdjacencyReference,
  graphAggBackwardInputReference,
  graphAggForwardReference,
  type MatmulArgs,
  matmulReference,
  setDirectConv,
  setWinograd,
  type TconvArgs,
  tconvBackwardInputReference,
  tconvBackwardWeightReference,
  tconvForwardReference,
  tconvOutLength,
  winogradApplies,
} from '@asma/kernels';
import { Rng } from '@asma/util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { absF64, CTORS, type Ctor, expectClose, randomArray, toF64, tolerance } from './helpers.js';

const RUNS = 60;
const seedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });
/** Mostly small dims (1-sized included), sometimes past the 4-wide micro-tile. */
const dim = fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 40 }));

const matmulArb = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  m: dim,
  k: dim,
  n: dim,
  transA: fc.boolean(),
  transB: fc.boolean(),
  /** 'dense' (default stride), 'broadcast' (stride 0) or 'gap' (stride larger than a matrix). */
  layoutA: fc.constantFrom('dense', 'broadcast', 'gap'),
  layoutB: fc.constantFrom('dense', 'broadcast', 'gap'),
  accumulate: fc.boolean(),
  seed: seedArb,
});

function strideOf(layout: string, size: number): number | undefined {
  if (layout === 'broadcast') return 0;
  if (layout === 'gap') return size + 3;
  return undefined;
}

function checkMatmul(ctor: Ctor, p: MatmulArgs, seed: number): void {
  const rng = new Rng(seed);
  const sa = p.strideA ?? p.m * p.k;
  const sb = p.strideB ?? p.k * p.n;
  const a = randomArray(ctor, (p.batch - 1) * sa + p.m * p.k, rng);
  const b = randomArray(ctor, (p.batch - 1) * sb + p.k * p.n, rng);
  const size = p.batch * p.m * p.n;
  const out = p.accumulate ? randomArray(ctor, size, rng) : new ctor(size).fill(Number.NaN);
  const expected = toF64(out);
  matmulReference(expected, toF64(a), toF64(b), p);
  const scale = absF64(out);
  if (!p.accumulate) scale.fill(0);
  matmulReference(scale, absF64(a), absF64(b), { ...p, accumulate: true });
  cpuBackend.matmul(out, a, b, p);
  expectClose(out, expected, scale, tolerance(ctor), p.k, `matmul ${JSON.stringify(p)}`);
}

describe('cpu matmul equals the reference', () => {
  for (const [label, ctor] of CTORS) {
    it(`random shapes, transposes, strides, accumulate (${label})`, () => {
      fc.assert(
        fc.property(matmulArb, (r) => {
          const p: MatmulArgs = {
            batch: r.batch,
            m: r.m,
            k: r.k,
            n: r.n,
            transA: r.transA,
            transB: r.transB,
          };
          const sa = strideOf(r.layoutA, r.m * r.k);
          const sb = strideOf(r.layoutB, r.k * r.n);
          if (sa !== undefined) p.strideA = sa;
          if (sb !== undefined) p.strideB = sb;
          if (r.accumulate) p.accumulate = true;
          checkMatmul(ctor, p, r.seed);
        }),
        { numRuns: RUNS },
      );
    });

    it(`crosses every cache-block boundary (${label})`, () => {
      // MC = 128 rows, KC = 256 depth, NC = 1024 columns; odd sizes leave partial micro-tiles.
      checkMatmul(ctor, { batch: 1, m: 131, k: 263, n: 7 }, 1);
      checkMatmul(ctor, { batch: 2, m: 130, k: 259, n: 6, transA: true, transB: true, accumulate: true }, 2);
      checkMatmul(ctor, { batch: 1, m: 3, k: 5, n: 1029, transB: true }, 3);
      checkMatmul(ctor, { batch: 3, m: 5, k: 6, n: 7, strideB: 0 }, 4);
      checkMatmul(ctor, { batch: 2, m: 5, k: 0, n: 3 }, 5);
    });
  }
});

const tconvArb = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    cin: fc.integer({ min: 1, max: 6 }),
    cout: fc.integer({ min: 1, max: 6 }),
    v: fc.integer({ min: 1, max: 5 }),
    kt: fc.integer({ min: 1, max: 9 }),
    stride: fc.integer({ min: 1, max: 3 }),
    /** pad as a fraction of kt: 0, below kt/2, and above kt/2. */
    padFrac: fc.double({ min: 0, max: 1, noNaN: true }),
    extraT: fc.integer({ min: 0, max: 12 }),
    bias: fc.boolean(),
    seed: seedArb,
  })
  .map((r): { p: TconvArgs; bias: boolean; seed: number } => {
    const pad = Math.floor(r.padFrac * r.kt);
    // At least one output step: T + 2 pad >= kt.
    const t = Math.max(1, r.kt - 2 * pad) + r.extraT;
    return {
      p: { n: r.n, cin: r.cin, cout: r.cout, t, v: r.v, kt: r.kt, stride: r.stride, pad },
      bias: r.bias,
      seed: r.seed,
    };
  });

function checkTconv(ctor: Ctor, p: TconvArgs, withBias: boolean, seed: number): void {
  const rng = new Rng(seed);
  const to = tconvOutLength(p);
  const tol = tolerance(ctor);
  const x = randomArray(ctor, p.n * p.cin * p.t * p.v, rng);
  const w = randomArray(ctor, p.cout * p.cin * p.kt, rng);
  const bias = withBias ? randomArray(ctor, p.cout, rng) : null;
  const dy = randomArray(ctor, p.n * p.cout * to * p.v, rng);
  const tag = JSON.stringify(p);

  const y = new ctor(dy.length).fill(Number.NaN);
  const yRef = new Float64Array(dy.length);
  const yScale = new Float64Array(dy.length);
  tconvForwardReference(yRef, toF64(x), toF64(w), bias && toF64(bias), p);
  tconvForwardReference(yScale, absF64(x), absF64(w), bias && absF64(bias), p);
  cpuBackend.tconvForward(y, x, w, bias, p);
  expectClose(y, yRef, yScale, tol, p.cin * p.kt, `tconvForward ${tag}`);

  const dx = new ctor(x.length).fill(Number.NaN);
  const dxRef = new Float64Array(x.length);
  const dxScale = new Float64Array(x.length);
  tconvBackwardInputReference(dxRef, toF64(dy), toF64(w), p);
  tconvBackwardInputReference(dxScale, absF64(dy), absF64(w), p);
  cpuBackend.tconvBackwardInput(dx, dy, w, p);
  expectClose(dx, dxRef, dxScale, tol, p.cout * p.kt, `tconvBackwardInput ${tag}`);

  const dw = new ctor(w.length).fill(Number.NaN);
  const db = withBias ? new ctor(p.cout).fill(Number.NaN) : null;
  const dwRef = new Float64Array(w.length);
  const dbRef = new Float64Array(p.cout);
  const dwScale = new Float64Array(w.length);
  const dbScale = new Float64Array(p.cout);
  tconvBackwardWeightReference(dwRef, dbRef, toF64(dy), toF64(x), p);
  tconvBackwardWeightReference(dwScale, dbScale, absF64(dy), absF64(x), p);
  cpuBackend.tconvBackwardWeight(dw, db, dy, x, p);
  const red = p.n * to * p.v;
  expectClose(dw, dwRef, dwScale, tol, red, `tconvBackwardWeight dw ${tag}`);
  if (db) expectClose(db, dbRef, dbScale, tol, red, `tconvBackwardWeight dbias ${tag}`);
}

describe('cpu temporal convolution equals the reference', () => {
  for (const [label, ctor] of CTORS) {
    it(`forward, backward-input, backward-weight on random shapes (${label})`, () => {
      fc.assert(
        fc.property(tconvArb, ({ p, bias, seed }) => checkTconv(ctor, p, bias, seed)),
        { numRuns: RUNS },
      );
    });

    it(`edge cases: stride 2 with odd T, pad 0, pad > kt/2, 1-sized dims (${label})`, () => {
      checkTconv(ctor, { n: 2, cin: 3, cout: 4, t: 7, v: 3, kt: 3, stride: 2, pad: 1 }, true, 11);
      checkTconv(ctor, { n: 1, cin: 2, cout: 2, t: 9, v: 2, kt: 5, stride: 1, pad: 0 }, false, 12);
      checkTconv(ctor, { n: 1, cin: 2, cout: 3, t: 5, v: 2, kt: 3, stride: 1, pad: 3 }, true, 13);
      checkTconv(ctor, { n: 1, cin: 1, cout: 1, t: 1, v: 1, kt: 1, stride: 1, pad: 0 }, true, 14);
      // ST-GCN's layer shape at small channel counts, large enough to span gemm blocks (Cin*kt > 256).
      checkTconv(ctor, { n: 2, cin: 32, cout: 20, t: 13, v: 5, kt: 9, stride: 2, pad: 4 }, true, 15);
    });
  }
});

describe('direct (no im2col) temporal convolution equals the reference', () => {
  it('across depth blocks, partial row panels and tiles, 1x1 kernels, every padding', () => {
    for (const direct of [true, false]) {
      const prev = setDirectConv(direct);
      try {
        // cin * kt > 256: several depth blocks added into C; cout 37: a partial row panel.
        checkTconv(Float32Array, { n: 2, cin: 40, cout: 37, t: 7, v: 3, kt: 9, stride: 1, pad: 4 }, true, 21);
        checkTconv(Float32Array, { n: 3, cin: 5, cout: 6, t: 9, v: 25, kt: 1, stride: 1, pad: 0 }, true, 22);
        checkTconv(Float32Array, { n: 1, cin: 3, cout: 4, t: 6, v: 2, kt: 5, stride: 1, pad: 0 }, false, 23);
        // pad > kt - 1: backward-input takes the per-tap gemm path.
        checkTconv(Float32Array, { n: 1, cin: 3, cout: 4, t: 4, v: 2, kt: 3, stride: 1, pad: 3 }, true, 24);
        checkTconv(Float32Array, { n: 2, cin: 70, cout: 9, t: 5, v: 4, kt: 1, stride: 1, pad: 0 }, true, 25);
      } finally {
        setDirectConv(prev);
      }
    }
  });
});

/** Shapes where the Winograd F(3, 3) path runs: stride 1, kt >= 5, at least 64 channels in and out. */
const winogradArb = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }),
    cin: fc.integer({ min: 64, max: 72 }),
    cout: fc.integer({ min: 64, max: 72 }),
    v: fc.integer({ min: 1, max: 9 }),
    kt: fc.integer({ min: 5, max: 11 }),
    padFrac: fc.double({ min: 0, max: 1, noNaN: true }),
    extraT: fc.integer({ min: 0, max: 14 }),
    bias: fc.boolean(),
    seed: seedArb,
  })
  .map((r): { p: TconvArgs; bias: boolean; seed: number } => {
    const pad = Math.floor(r.padFrac * r.kt);
    const t = Math.max(1, r.kt - 2 * pad) + r.extraT;
    return {
      p: { n: r.n, cin: r.cin, cout: r.cout, t, v: r.v, kt: r.kt, stride: 1, pad },
      bias: r.bias,
      seed: r.seed,
    };
  });

/**
 * Winograd's round-off scales with the whole input tile window, not only with the taps an output uses:
 * an output whose taps all fall on padding is a cancellation of non-zero point values. scale[ni, co, t, v]
 * = sum_ci max_q |w[co, ci, q]| * sum over the rows of t's window (3 floor(t / 3) .. + 3 J + 1) of |x|,
 * where the problem is y = conv(x, w, pad) with x (n, c, T, v) and w (m, c, kt).
 */
function winogradScale(
  x: FloatArray,
  wMax: (co: number, ci: number) => number,
  d: { n: number; m: number; c: number; t: number; v: number; kt: number; pad: number },
): Float64Array {
  const to = d.t + 2 * d.pad - d.kt + 1;
  const j = Math.ceil(d.kt / 3);
  const out = new Float64Array(d.n * d.m * to * d.v);
  for (let ni = 0; ni < d.n; ni++)
    for (let co = 0; co < d.m; co++)
      for (let t = 0; t < to; t++)
        for (let vv = 0; vv < d.v; vv++) {
          let s = 0;
          const r0 = 3 * Math.floor(t / 3);
          for (let ci = 0; ci < d.c; ci++) {
            let win = 0;
            for (let r = r0; r <= r0 + 3 * j + 1; r++) {
              const row = r - d.pad;
              if (row >= 0 && row < d.t) win += Math.abs(x[((ni * d.c + ci) * d.t + row) * d.v + vv]!);
            }
            s += wMax(co, ci) * win;
          }
          out[((ni * d.m + co) * to + t) * d.v + vv] = s;
        }
  return out;
}

/**
 * The transforms' constants bound the extra round-off: |A^T| rows sum to <= 7, |B^T| rows to <= 6,
 * |G| rows to <= 1.5, so 64 float32 roundings of the window scale cover it; index errors are of order 1.
 */
const WINOGRAD_SLACK = 64;

function checkWinograd(p: TconvArgs, withBias: boolean, seed: number): void {
  const rng = new Rng(seed);
  const to = tconvOutLength(p);
  const x = randomArray(Float32Array, p.n * p.cin * p.t * p.v, rng);
  const w = randomArray(Float32Array, p.cout * p.cin * p.kt, rng);
  const bias = withBias ? randomArray(Float32Array, p.cout, rng) : null;
  const dy = randomArray(Float32Array, p.n * p.cout * to * p.v, rng);
  const tag = JSON.stringify(p);
  const tol = tolerance(Float32Array) * WINOGRAD_SLACK;
  const wMax = (co: number, ci: number) => {
    let m = 0;
    for (let q = 0; q < p.kt; q++) m = Math.max(m, Math.abs(w[(co * p.cin + ci) * p.kt + q]!));
    return m;
  };

  const y = new Float32Array(dy.length).fill(Number.NaN);
  const yRef = new Float64Array(dy.length);
  tconvForwardReference(yRef, toF64(x), toF64(w), bias && toF64(bias), p);
  cpuBackend.tconvForward(y, x, w, bias, p);
  const yScale = winogradScale(x, wMax, {
    n: p.n,
    m: p.cout,
    c: p.cin,
    t: p.t,
    v: p.v,
    kt: p.kt,
    pad: p.pad,
  });
  if (bias)
    for (let i = 0; i < yScale.length; i++)
      yScale[i]! += Math.abs(bias[Math.floor(i / (to * p.v)) % p.cout]!);
  expectClose(y, yRef, yScale, tol, p.cin * p.kt, `winograd forward ${tag}`);

  const dx = new Float32Array(x.length).fill(Number.NaN);
  const dxRef = new Float64Array(x.length);
  tconvBackwardInputReference(dxRef, toF64(dy), toF64(w), p);
  cpuBackend.tconvBackwardInput(dx, dy, w, p);
  const dxScale = winogradScale(dy, (ci, co) => wMax(co, ci), {
    n: p.n,
    m: p.cin,
    c: p.cout,
    t: to,
    v: p.v,
    kt: p.kt,
    pad: p.kt - 1 - p.pad,
  });
  expectClose(dx, dxRef, dxScale, tol, p.cout * p.kt, `winograd backward-input ${tag}`);

  // Weight gradient: dU sums D (3 dy rows per tile) times the input tile window of tap group q.
  const dw = new Float32Array(w.length).fill(Number.NaN);
  const dwRef = new Float64Array(w.length);
  tconvBackwardWeightReference(dwRef, new Float64Array(p.cout), toF64(dy), toF64(x), p);
  cpuBackend.tconvBackwardWeight(dw, null, dy, x, p);
  const j = Math.ceil(p.kt / 3);
  const tiles = Math.ceil(to / 3);
  const dwScale = new Float64Array(w.length);
  for (let co = 0; co < p.cout; co++)
    for (let ci = 0; ci < p.cin; ci++)
      for (let q = 0; q < j; q++) {
        let s = 0;
        for (let ni = 0; ni < p.n; ni++)
          for (let vv = 0; vv < p.v; vv++)
            for (let i = 0; i < tiles; i++) {
              let g = 0;
              for (let u = 0; u < 3 && 3 * i + u < to; u++)
                g += Math.abs(dy[((ni * p.cout + co) * to + 3 * i + u) * p.v + vv]!);
              let win = 0;
              for (let r = 3 * (i + q); r <= 3 * (i + q) + 4; r++) {
                const row = r - p.pad;
                if (row >= 0 && row < p.t) win += Math.abs(x[((ni * p.cin + ci) * p.t + row) * p.v + vv]!);
              }
              s += g * win;
            }
        for (let tap = 3 * q; tap < Math.min(p.kt, 3 * q + 3); tap++)
          dwScale[(co * p.cin + ci) * p.kt + tap] = s;
      }
  expectClose(dw, dwRef, dwScale, tol, p.n * to * p.v, `winograd backward-weight ${tag}`);
}

describe('Winograd F(3, 3) temporal convolution equals the reference', () => {
  it('forward, backward-input and backward-weight on random shapes (tile and row-vector edges, taps past kt)', () => {
    expect(winogradApplies({ m: 64, c: 64, kt: 9 })).toBe(true);
    fc.assert(
      fc.property(
        winogradArb.filter(({ p }) => p.pad <= p.kt - 1),
        ({ p, bias, seed }) => checkWinograd(p, bias, seed),
      ),
      { numRuns: 25 },
    );
  });

  it("ST-GCN's last stage (256 channels, 13 frames; 9 joints: a row spill); switched off, the direct path", () => {
    const p = { n: 1, cin: 256, cout: 256, t: 13, v: 9, kt: 9, stride: 1, pad: 4 };
    checkWinograd(p, true, 31);
    setWinograd(false);
    try {
      expect(winogradApplies({ m: 256, c: 256, kt: 9 })).toBe(false);
      checkTconv(Float32Array, p, true, 31);
    } finally {
      setWinograd(true);
    }
  });
});

const graphArb = fc.record({
  n: fc.integer({ min: 1, max: 3 }),
  k: fc.integer({ min: 1, max: 4 }),
  c: fc.integer({ min: 1, max: 5 }),
  t: fc.integer({ min: 1, max: 6 }),
  v: fc.integer({ min: 1, max: 9 }),
  w: fc.integer({ min: 1, max: 9 }),
  seed: seedArb,
});

function checkGraph(
  ctor: Ctor,
  p: { n: number; k: number; c: number; t: number; v: number; w: number },
  seed: number,
) {
  const rng = new Rng(seed);
  const tol = tolerance(ctor);
  const ct = p.c * p.t;
  const x = randomArray(ctor, p.n * p.k * ct * p.v, rng);
  const a = randomArray(ctor, p.k * p.v * p.w, rng);
  const dy = randomArray(ctor, p.n * ct * p.w, rng);
  const tag = JSON.stringify(p);
  const run = (
    kernel: (o: FloatArray, u: FloatArray, z: FloatArray) => void,
    ref: (o: FloatArray, u: FloatArray, z: FloatArray) => void,
    u: FloatArray,
    z: FloatArray,
    size: number,
    red: number,
    what: string,
  ) => {
    const out = new ctor(size).fill(Number.NaN);
    const expected = new Float64Array(size);
    const scale = new Float64Array(size);
    ref(expected, toF64(u), toF64(z));
    ref(scale, absF64(u), absF64(z));
    kernel(out, u, z);
    expectClose(out, expected, scale, tol, red, `${what} ${tag}`);
  };
  run(
    (o, u, z) => cpuBackend.graphAggForward(o, u, z, p),
    (o, u, z) => graphAggForwardReference(o, u, z, p),
    x,
    a,
    dy.length,
    p.k * p.v,
    'graphAggForward',
  );
  run(
    (o, u, z) => cpuBackend.graphAggBackwardInput(o, u, z, p),
    (o, u, z) => graphAggBackwardInputReference(o, u, z, p),
    dy,
    a,
    x.length,
    p.w,
    'graphAggBackwardInput',
  );
  run(
    (o, u, z) => cpuBackend.graphAggBackwardAdjacency(o, u, z, p),
    (o, u, z) => graphAggBackwardAdjacencyReference(o, u, z, p),
    dy,
    x,
    a.length,
    p.n * ct,
    'graphAggBackwardAdjacency',
  );
}

describe('cpu graph aggregation equals the reference', () => {
  for (const [label, ctor] of CTORS) {
    it(`forward and both backward products on random shapes (${label})`, () => {
      fc.assert(
        fc.property(graphArb, ({ seed, ...p }) => checkGraph(ctor, p, seed)),
        { numRuns: RUNS },
      );
    });

    it(`NTU-sized joints with C*T past a gemm block (${label})`, () => {
      checkGraph(ctor, { n: 2, k: 3, c: 8, t: 40, v: 25, w: 25 }, 21);
    });
  }
});

describe('registry', () => {
  it('selects the cpu backend by default', () => {
    expect(getBackend().name).toBe('cpu');
  });
});
