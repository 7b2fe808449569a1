/**
 * Every entry of the kernel table on random shapes (fast-check samples, seeded), WebGPU against the
 * CPU backend. Metrics: 'rel' relative error; 'scaled' error over the sum of |terms| behind the output
 * (reductions, GEMMs, convolutions: rounding grows with the terms, not the result); 'unit'
 * |error| / (1 + |cpu|) (batch norm's O(1) outputs); 'bits' differing elements (must be 0).
 */
import { type BinaryOp, tconvOutLength, type UnaryOp } from '@asma/kernels';
import { Rng } from '@asma/util';
import type { WebGpuBackend } from '@asma/webgpu';
import fc from 'fast-check';
import {
  bitMismatches,
  both,
  type Host,
  magnitudes,
  Results,
  type Run,
  relErr,
  scaledErr,
} from './harness.js';

const REL = 1e-5;
const SCALED = 1e-5;

function rand(rng: Rng, n: number, lo = -2, hi = 2): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(lo, hi);
  return a;
}

const samples = <T>(arb: fc.Arbitrary<T>, seed: number, n: number): T[] =>
  fc.sample(arb, { seed, numRuns: n });

/** Inputs in each unary op's domain and its parameters. */
const UNARY: [UnaryOp, number, number, number, number][] = [
  // op, lo, hi, p0, p1
  ['neg', -3, 3, 0, 0],
  ['exp', -10, 10, 0, 0],
  ['log', 0.05, 20, 0, 0],
  ['sqrt', 0.01, 50, 0, 0],
  ['square', -5, 5, 0, 0],
  ['abs', -5, 5, 0, 0],
  ['pow', 0.1, 4, 1.7, 0],
  ['pow', -3, 3, 3, 0],
  ['pow', 0.1, 4, -0.5, 0],
  ['clamp', -3, 3, -1, 1.5],
  ['affine', -3, 3, 1.5, -0.25],
  ['divScalar', -3, 3, 7, 0],
  ['rdiv', 0.2, 5, 3, 0],
  ['relu', -3, 3, 0, 0],
  ['leakyRelu', -3, 3, 0.1, 0],
  ['sigmoid', -12, 12, 0, 0],
  ['tanh', -6, 6, 0, 0],
  ['gelu', -5, 5, 0, 0],
];

async function elementwise(gpu: WebGpuBackend, r: Results, seed: number): Promise<void> {
  const rng = new Rng(seed);
  const sizes = samples(fc.integer({ min: 1, max: 3000 }), seed, 3);
  for (const n of sizes) {
    for (const [op, lo, hi, p0, p1] of UNARY) {
      const x = rand(rng, n, lo, hi);
      const o = await both(gpu, { x, y: new Float32Array(n) }, ['y'], (be, a) =>
        be.unary(op, a.y, a.x, p0, p1),
      );
      const floor = op === 'log' ? 1 : 1e-30;
      r.add(`unary ${op}`, relErr(o.y!.cpu, o.y!.gpu, floor), REL, floor === 1 ? 'rel/1' : 'rel');
      const y = o.y!.cpu;
      const g = rand(rng, n);
      const og = await both(gpu, { x, y, g, gx: new Float32Array(n) }, ['gx'], (be, a) =>
        be.unaryGrad(op, a.gx, a.g, a.x, a.y, p0, p1),
      );
      // 1 - y^2, y (1 - y) and gelu's sum cancel in float32 (the CPU works in float64): absolute below 1.
      const gfloor = op === 'tanh' || op === 'sigmoid' || op === 'gelu' ? 1 : 1e-30;
      r.add(`unaryGrad ${op}`, relErr(og.gx!.cpu, og.gx!.gpu, gfloor), REL, gfloor === 1 ? 'rel/1' : 'rel');
    }
    const ops: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'maximum', 'klDiv'];
    for (const op of ops) {
      const a = rand(rng, n, op === 'klDiv' ? -5 : -3, op === 'klDiv' ? -0.01 : 3);
      const b =
        op === 'div' ? rand(rng, n, 0.3, 3) : op === 'klDiv' ? rand(rng, n, 0.01, 1) : rand(rng, n, -3, 3);
      if (op === 'klDiv') for (let i = 0; i < n; i += 7) b[i] = 0;
      if (op === 'maximum') for (let i = 0; i < n; i += 5) b[i] = a[i]!;
      const o = await both(gpu, { a, b, out: new Float32Array(n) }, ['out'], (be, h) =>
        be.binary(op, h.out, h.a, h.b),
      );
      // klDiv's log y - x cancels: absolute below 1.
      const floor = op === 'klDiv' ? 1 : 1e-30;
      r.add(`binary ${op}`, relErr(o.out!.cpu, o.out!.gpu, floor), REL, floor === 1 ? 'rel/1' : 'rel');
      for (const which of [0, 1] as const) {
        const g = rand(rng, n);
        const og = await both(gpu, { g, a, b, out: o.out!.cpu, gx: new Float32Array(n) }, ['gx'], (be, h) =>
          be.binaryGrad(op, which, h.gx, h.g, h.a, h.b, h.out),
        );
        r.add(
          `binaryGrad ${op} ${which}`,
          relErr(og.gx!.cpu, og.gx!.gpu, floor),
          REL,
          floor === 1 ? 'rel/1' : 'rel',
        );
      }
    }
    const a = rand(rng, n);
    const b = rand(rng, n);
    for (let i = 0; i < n; i += 9) a[i] = -b[i]!; // exact zeros: relu must give +0
    let o = await both(gpu, { a, b, out: new Float32Array(n) }, ['out'], (be, h) =>
      be.addRelu(h.out, h.a, h.b),
    );
    r.add('addRelu', bitMismatches(o.out!.cpu, o.out!.gpu), 0, 'bits');
    o = await both(gpu, { a, b, out: new Float32Array(n) }, ['out'], (be, h) => be.reluMask(h.out, h.a, h.b));
    r.add('reluMask', bitMismatches(o.out!.cpu, o.out!.gpu), 0, 'bits');
    o = await both(gpu, { a, b }, ['a'], (be, h) => be.accumulate(h.a, h.b));
    r.add('accumulate', relErr(o.a!.cpu, o.a!.gpu), REL, 'rel');
    o = await both(gpu, { a, out: new Float32Array(n + 3) }, ['out'], (be, h) => be.copy(h.out, h.a));
    r.add('copy', bitMismatches(o.out!.cpu, o.out!.gpu), 0, 'bits');
    const off = rng.int(n);
    const cnt = rng.int(n - off + 1);
    o = await both(gpu, { a }, ['a'], (be, h) => be.fill(h.a, 0.375, off, cnt));
    r.add('fill', bitMismatches(o.a!.cpu, o.a!.gpu), 0, 'bits');
    const rows = 1 + rng.int(7);
    o = await both(gpu, { a, out: new Float32Array(rows * n) }, ['out'], (be, h) =>
      be.repeatRows(h.out, h.a, rows),
    );
    r.add('repeatRows', bitMismatches(o.out!.cpu, o.out!.gpu), 0, 'bits');
    for (const p of [0.1, 0.5, 0.9]) {
      const key = rng.int(2 ** 31) * 2 + rng.int(2);
      o = await both(
        gpu,
        { x: a, out: new Float32Array(n), mask: new Float32Array(n) },
        ['out', 'mask'],
        (be, h) => be.dropout(h.out, h.mask, h.x, p, key),
      );
      r.add('dropout mask', bitMismatches(o.mask!.cpu, o.mask!.gpu), 0, 'bits');
      r.add('dropout out', bitMismatches(o.out!.cpu, o.out!.gpu), 0, 'bits');
    }
  }
}

const checkSeconds: Record<string, number> = {};
async function scaledCheck(
  gpu: WebGpuBackend,
  r: Results,
  name: string,
  host: Host,
  outs: string[],
  run: Run,
): Promise<void> {
  const t = performance.now();
  const o = await both(gpu, host, outs, run);
  checkSeconds[name] = (checkSeconds[name] ?? 0) + (performance.now() - t) / 1000;
  const m = await magnitudes(host, outs, run);
  for (const k of outs)
    r.add(outs.length > 1 ? `${name} ${k}` : name, scaledErr(o[k]!.cpu, o[k]!.gpu, m[k]!), SCALED, 'scaled');
}

function cStrides(shape: number[]): number[] {
  const s: number[] = [];
  for (let d = shape.length - 1, acc = 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d]!;
  }
  return s;
}

async function strided(gpu: WebGpuBackend, r: Results, seed: number): Promise<void> {
  const rng = new Rng(seed + 1);
  const shapes = samples(fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 6 }), seed, 8);
  for (const shape of shapes) {
    const n = shape.reduce((a, b) => a * b, 1);
    // gather: a permutation of a larger source with one broadcast axis, at an offset.
    const perm = rng.permutation(shape.length);
    const srcShape = perm.map((d) => shape[d]! + 1);
    const srcStrides = cStrides(srcShape);
    const strides = shape.map((_, d) => srcStrides[perm.indexOf(d)]!);
    if (shape.length > 1) strides[rng.int(shape.length)] = 0;
    const src = rand(
      rng,
      srcShape.reduce((a, b) => a * b, 1),
    );
    let o = await both(gpu, { src, out: new Float32Array(n) }, ['out'], (be, h) =>
      be.gather(h.out, h.src, shape, strides, 1),
    );
    r.add('gather', bitMismatches(o.out!.cpu, o.out!.gpu), 0, 'bits');
    // scatter / scatterAdd: a slice of a larger destination (no two elements meet).
    const dstShape = shape.map((d) => d + 2);
    const dstStrides = cStrides(dstShape);
    const offset = dstStrides.reduce((a, b) => a + b, 0);
    const dst = rand(
      rng,
      dstShape.reduce((a, b) => a * b, 1),
    );
    const piece = rand(rng, n);
    o = await both(gpu, { dst, piece }, ['dst'], (be, h) =>
      be.scatterAdd(h.dst, h.piece, shape, dstStrides, offset),
    );
    r.add('scatterAdd', relErr(o.dst!.cpu, o.dst!.gpu), REL, 'rel');
    o = await both(gpu, { dst, piece }, ['dst'], (be, h) =>
      be.scatter(h.dst, h.piece, shape, dstStrides, offset),
    );
    r.add('scatter', bitMismatches(o.dst!.cpu, o.dst!.gpu), 0, 'bits');
    // reduceSum over a random subset of axes (keeping some), scaled so some reductions are long.
    const big = shape.map((d, k) => (k === 0 ? d * 40 : d));
    const keep = big.map(() => rng.bernoulli(0.5));
    const keptShape = big.map((d, k) => (keep[k] ? d : 1));
    const outStrides = cStrides(keptShape).map((s, k) => (keep[k] ? s : 0));
    const total = big.reduce((a, b) => a * b, 1);
    const outLen = keptShape.reduce((a, b) => a * b, 1);
    await scaledCheck(
      gpu,
      r,
      'reduceSum',
      { src: rand(rng, total), out: new Float32Array(outLen) },
      ['out'],
      (be, h) => be.reduceSum(h.out, h.src, big, outStrides),
    );
  }
  // Global pooling shape (long runs: the workgroup path) and a bias gradient (N, C, T V) -> C.
  await scaledCheck(
    gpu,
    r,
    'reduceSum',
    { src: rand(rng, 4 * 16 * 300), out: new Float32Array(16) },
    ['out'],
    (be, h) => be.reduceSum(h.out, h.src, [4, 16, 300], [0, 1, 0]),
  );
}

async function softmaxNll(gpu: WebGpuBackend, r: Results, seed: number): Promise<void> {
  const rng = new Rng(seed + 2);
  for (const [outer, n, inner] of samples(
    fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 6 })),
    seed,
    5,
  )) {
    const total = outer * n * inner;
    for (const log of [false, true]) {
      const args = { outer, n, inner, log };
      const x = rand(rng, total, -8, 8);
      const o = await both(gpu, { x, y: new Float32Array(total) }, ['y'], (be, h) =>
        be.softmax(h.y, h.x, args),
      );
      // log-softmax's x - lse cancels near 0: absolute below 1.
      r.add(
        log ? 'logSoftmax' : 'softmax',
        relErr(o.y!.cpu, o.y!.gpu, log ? 1 : 1e-30),
        REL,
        log ? 'rel/1' : 'rel',
      );
      const g = rand(rng, total);
      const y = o.y!.cpu;
      const og = await both(gpu, { g, y, gx: new Float32Array(total) }, ['gx'], (be, h) =>
        be.softmaxGrad(h.gx, h.g, h.y, args),
      );
      // The sum of |terms| of each lane's gradient.
      const scale = new Float32Array(total);
      for (let oi = 0; oi < outer; oi++)
        for (let ii = 0; ii < inner; ii++) {
          let s1 = 0;
          for (let j = 0; j < n; j++) {
            const q = (oi * n + j) * inner + ii;
            s1 += log ? Math.abs(g[q]!) : Math.abs(g[q]! * y[q]!);
          }
          for (let j = 0; j < n; j++) {
            const q = (oi * n + j) * inner + ii;
            scale[q] = log
              ? Math.abs(g[q]!) + Math.exp(y[q]!) * s1
              : Math.abs(y[q]!) * (Math.abs(g[q]!) + s1);
          }
        }
      r.add(
        log ? 'logSoftmaxGrad' : 'softmaxGrad',
        scaledErr(og.gx!.cpu, og.gx!.gpu, scale),
        SCALED,
        'scaled',
      );
    }
    const rows = outer * inner;
    const labels = Int32Array.from({ length: rows }, () => rng.int(n));
    const logp = rand(rng, rows * n, -5, 0);
    let o = await both(gpu, { logp, out: new Float32Array(rows) }, ['out'], (be, h) =>
      be.nll(h.out, h.logp, labels, n),
    );
    r.add('nll', bitMismatches(o.out!.cpu, o.out!.gpu), 0, 'bits');
    o = await both(gpu, { g: rand(rng, rows), gx: rand(rng, rows * n) }, ['gx'], (be, h) =>
      be.nllGrad(h.gx, h.g, labels, n),
    );
    r.add('nllGrad', bitMismatches(o.gx!.cpu, o.gx!.gpu), 0, 'bits');
  }
}

async function gemms(gpu: WebGpuBackend, r: Results, seed: number): Promise<void> {
  const rng = new Rng(seed + 3);
  const dims = fc.record({
    batch: fc.integer({ min: 1, max: 3 }),
    m: fc.integer({ min: 1, max: 140 }),
    k: fc.integer({ min: 1, max: 140 }),
    n: fc.integer({ min: 1, max: 140 }),
    transA: fc.boolean(),
    transB: fc.boolean(),
    broadcastA: fc.boolean(),
    broadcastB: fc.boolean(),
    accumulate: fc.boolean(),
  });
  for (const d of samples(dims, seed, 8)) {
    const args = {
      batch: d.batch,
      m: d.m,
      k: d.k,
      n: d.n,
      transA: d.transA,
      transB: d.transB,
      accumulate: d.accumulate,
      strideA: d.broadcastA ? 0 : d.m * d.k,
      strideB: d.broadcastB ? 0 : d.k * d.n,
    };
    const a = rand(rng, (d.broadcastA ? 1 : d.batch) * d.m * d.k);
    const b = rand(rng, (d.broadcastB ? 1 : d.batch) * d.k * d.n);
    await scaledCheck(gpu, r, 'matmul', { a, b, out: rand(rng, d.batch * d.m * d.n) }, ['out'], (be, h) =>
      be.matmul(h.out, h.a, h.b, args),
    );
  }
  const conv = fc.record({
    n: fc.integer({ min: 1, max: 3 }),
    cin: fc.integer({ min: 1, max: 24 }),
    cout: fc.integer({ min: 1, max: 70 }),
    t: fc.integer({ min: 9, max: 30 }),
    v: fc.integer({ min: 1, max: 25 }),
    kt: fc.constantFrom(1, 3, 9),
    stride: fc.constantFrom(1, 2),
    padded: fc.boolean(),
    bias: fc.boolean(),
  });
  for (const c of samples(conv, seed, 4)) {
    const args = {
      n: c.n,
      cin: c.cin,
      cout: c.cout,
      t: c.t,
      v: c.v,
      kt: c.kt,
      stride: c.stride,
      pad: c.padded ? (c.kt - 1) / 2 : 0,
    };
    const tout = tconvOutLength(args);
    const x = rand(rng, c.n * c.cin * c.t * c.v);
    const w = rand(rng, c.cout * c.cin * c.kt);
    const bias = c.bias ? rand(rng, c.cout) : null;
    const dy = rand(rng, c.n * c.cout * tout * c.v);
    await scaledCheck(
      gpu,
      r,
      'tconvForward',
      { x, w, bias, out: new Float32Array(dy.length) },
      ['out'],
      (be, h) => be.tconvForward(h.out, h.x, h.w, h.bias, args),
    );
    await scaledCheck(
      gpu,
      r,
      'tconvBackwardInput',
      { dy, w, dx: new Float32Array(x.length) },
      ['dx'],
      (be, h) => be.tconvBackwardInput(h.dx, h.dy, h.w, args),
    );
    await scaledCheck(
      gpu,
      r,
      'tconvBackwardWeight',
      { dy, x, dw: new Float32Array(w.length), db: c.bias ? new Float32Array(c.cout) : null },
      c.bias ? ['dw', 'db'] : ['dw'],
      (be, h) => be.tconvBackwardWeight(h.dw, h.db, h.dy, h.x, args),
    );
  }
  const agg = fc.record({
    n: fc.integer({ min: 1, max: 3 }),
    k: fc.integer({ min: 1, max: 3 }),
    c: fc.integer({ min: 1, max: 16 }),
    t: fc.integer({ min: 1, max: 12 }),
    v: fc.integer({ min: 1, max: 25 }),
    w: fc.integer({ min: 1, max: 25 }),
  });
  for (const g of samples(agg, seed, 4)) {
    const rows = g.n * g.c * g.t;
    const x = rand(rng, rows * g.k * g.v);
    const a = rand(rng, g.k * g.v * g.w);
    const dy = rand(rng, rows * g.w);
    await scaledCheck(gpu, r, 'graphAggForward', { x, a, y: new Float32Array(dy.length) }, ['y'], (be, h) =>
      be.graphAggForward(h.y, h.x, h.a, g),
    );
    await scaledCheck(
      gpu,
      r,
      'graphAggBackwardInput',
      { dy, a, dx: new Float32Array(x.length) },
      ['dx'],
      (be, h) => be.graphAggBackwardInput(h.dx, h.dy, h.a, g),
    );
    await scaledCheck(
      gpu,
      r,
      'graphAggBackwardAdjacency',
      { dy, x, dA: new Float32Array(a.length) },
      ['dA'],
      (be, h) => be.graphAggBackwardAdjacency(h.dA, h.dy, h.x, g),
    );
  }
}

function unitErr(cpu: Float32Array, gpu: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < cpu.length; i++)
    worst = Math.max(worst, Math.abs(gpu[i]! - cpu[i]!) / (1 + Math.abs(cpu[i]!)));
  return cpu.length === gpu.length ? worst : Number.POSITIVE_INFINITY;
}

async function batchNorm(gpu: WebGpuBackend, r: Results, seed: number): Promise<void> {
  const rng = new Rng(seed + 4);
  const cases = fc.record({
    n: fc.integer({ min: 1, max: 4 }),
    c: fc.integer({ min: 1, max: 20 }),
    inner: fc.integer({ min: 1, max: 300 }),
    training: fc.boolean(),
    weight: fc.boolean(),
    bias: fc.boolean(),
    relu: fc.boolean(),
    gx: fc.boolean(),
  });
  for (const b of samples(cases, seed, 10)) {
    const runs = { n: b.n, c: b.c, inner: b.inner };
    const total = b.n * b.c * b.inner;
    const x = rand(rng, total, -1, 3);
    const host = {
      x,
      out: new Float32Array(total),
      mean: rand(rng, b.c, -0.5, 0.5),
      variance: rand(rng, b.c, 0.5, 2),
      rstd: new Float32Array(b.c),
      weight: b.weight ? rand(rng, b.c, 0.5, 1.5) : null,
      bias: b.bias ? rand(rng, b.c) : null,
    };
    const fwd = await both(gpu, host, ['out', 'mean', 'variance', 'rstd'], (be, h) =>
      be.batchNormForward({ ...h, runs, training: b.training, eps: 1e-5, relu: b.relu } as never),
    );
    for (const k of ['out', 'mean', 'variance', 'rstd'])
      r.add(`batchNormForward ${k}`, unitErr(fwd[k]!.cpu, fwd[k]!.gpu), REL, 'unit');
    const bw = {
      g: rand(rng, total),
      x,
      reluOut: b.relu ? fwd.out!.cpu : null,
      mean: fwd.mean!.cpu,
      rstd: fwd.rstd!.cpu,
      weight: host.weight,
      gx: b.gx ? new Float32Array(total) : null,
      sumG: new Float32Array(b.c),
      sumGXhat: new Float32Array(b.c),
    };
    const outs = b.gx ? ['gx', 'sumG', 'sumGXhat'] : ['sumG', 'sumGXhat'];
    const back = await both(gpu, bw, outs, (be, h) =>
      be.batchNormBackward({ ...h, runs, training: b.training } as never),
    );
    // Scales: the sums of |terms| (sum |g|, sum |g xhat|); gx: its terms' magnitudes plus 1.
    const m = await magnitudes(bw, outs, (be, h) =>
      be.batchNormBackward({ ...h, runs, training: b.training } as never),
    );
    const s1 = new Float32Array(b.c);
    const s2 = new Float32Array(b.c);
    for (let ni = 0; ni < b.n; ni++)
      for (let ch = 0; ch < b.c; ch++)
        for (let l = 0; l < b.inner; l++) {
          const q = (ni * b.c + ch) * b.inner + l;
          s1[ch]! += Math.abs(bw.g[q]!);
          s2[ch]! += Math.abs(bw.g[q]! * (x[q]! - bw.mean[ch]!) * bw.rstd[ch]!);
        }
    const scales: Record<string, Float32Array> = {
      gx: m.gx ? m.gx.map((v) => Math.abs(v) + 1) : s1,
      sumG: s1,
      sumGXhat: s2,
    };
    for (const k of outs)
      r.add(`batchNormBackward ${k}`, scaledErr(back[k]!.cpu, back[k]!.gpu, scales[k]!), SCALED, 'scaled');
    const run = await both(
      gpu,
      { rm: rand(rng, b.c), rv: rand(rng, b.c, 0.5, 2), mean: fwd.mean!.cpu, variance: fwd.variance!.cpu },
      ['rm', 'rv'],
      (be, h) => be.batchNormRunningUpdate(h.rm, h.rv, h.mean, h.variance, 0.1, b.n * b.inner + 1),
    );
    r.add(
      'batchNormRunningUpdate',
      Math.max(relErr(run.rm!.cpu, run.rm!.gpu, 1e-3), relErr(run.rv!.cpu, run.rv!.gpu)),
      REL,
      'rel',
    );
  }
}

async function optimisers(gpu: WebGpuBackend, r: Results, seed: number): Promise<void> {
  const rng = new Rng(seed + 5);
  for (const n of samples(fc.integer({ min: 1, max: 5000 }), seed, 3)) {
    for (const decay of [1, 0.999]) {
      const args = {
        b1: 0.9,
        b2: 0.999,
        eps: 1e-8,
        l2: decay === 1 ? 1e-4 : 0,
        stepSize: 1e-3 / (1 - 0.9 ** 3),
        bc2Sqrt: Math.sqrt(1 - 0.999 ** 3),
        decay,
      };
      const host = { p: rand(rng, n), g: rand(rng, n), m: rand(rng, n, -0.1, 0.1), v: rand(rng, n, 0, 0.1) };
      const o = await both(gpu, host, ['p', 'm', 'v'], (be, h) => be.adamStep(h.p, h.g, h.m, h.v, args));
      // m = b1 m + (1 - b1) g cancels: scaled by its terms; p - update cancels: absolute below 1.
      const mag = await magnitudes(host, ['m'], (be, h) => be.adamStep(h.p, h.g, h.m, h.v, args));
      r.add('adamStep p', relErr(o.p!.cpu, o.p!.gpu, 1), REL, 'rel/1');
      r.add('adamStep m', scaledErr(o.m!.cpu, o.m!.gpu, mag.m!), SCALED, 'scaled');
      r.add('adamStep v', relErr(o.v!.cpu, o.v!.gpu), REL, 'rel');
    }
    for (const [momentum, nesterov, first] of [
      [0, false, false],
      [0.9, false, true],
      [0.9, true, false],
      [0.9, false, false],
    ] as const) {
      const args = { lr: 0.05, momentum, dampening: 0.1, nesterov, weightDecay: 1e-3, first };
      const host = { p: rand(rng, n), g: rand(rng, n), buf: momentum ? rand(rng, n) : null };
      const o = await both(gpu, host, momentum ? ['p', 'buf'] : ['p'], (be, h) =>
        be.sgdStep(h.p, h.g, h.buf, args),
      );
      r.add('sgdStep p', relErr(o.p!.cpu, o.p!.gpu, 1), REL, 'rel/1');
      if (momentum) {
        const mag = await magnitudes(host, ['buf'], (be, h) => be.sgdStep(h.p, h.g, h.buf, args));
        r.add('sgdStep buf', scaledErr(o.buf!.cpu, o.buf!.gpu, mag.buf!), SCALED, 'scaled');
      }
    }
  }
}

/** The storage contract: readbacks counted, errors named, in-place calls, big 2-D dispatches. */
async function storage(gpu: WebGpuBackend, r: Results): Promise<string[]> {
  const problems: string[] = [];
  const expectThrow = (what: string, f: () => unknown, pattern: RegExp) => {
    try {
      f();
      problems.push(`${what}: did not throw`);
    } catch (e) {
      if (!pattern.test((e as Error).message)) problems.push(`${what}: threw '${(e as Error).message}'`);
    }
  };
  const x = gpu.upload(new Float32Array([1, Number.NaN, 3]));
  expectThrow('readSync', () => gpu.readSync(x), /use `await backend\.read/);
  expectThrow('upload float64', () => gpu.upload(new Float64Array(3)), /float32 only/);
  expectThrow('allocate float64', () => gpu.allocate!(3, true, false), /float32 only/);
  expectThrow(
    'host array argument',
    () => gpu.unary('neg', x, new Float32Array(3) as never),
    /unary: x must be a GpuArray.*upload it first/,
  );
  const before = gpu.readbacks;
  if ((await gpu.allFinite(x)) !== false) problems.push('allFinite: NaN not found');
  const y = gpu.upload(new Float32Array([1, Number.POSITIVE_INFINITY]));
  if ((await gpu.allFinite(y)) !== false) problems.push('allFinite: Infinity not found');
  const z = gpu.upload(new Float32Array(1000).fill(2));
  if ((await gpu.allFinite(z)) !== true) problems.push('allFinite: finite array flagged');
  // In place: z = exp(z) and z += z.
  gpu.unary('square', z, z);
  gpu.accumulate(z, z);
  for (let i = 0; i < 50; i++) gpu.unary('affine', z, z, 1, 0);
  const zv = await gpu.read(z);
  if (zv.some((v) => v !== 8)) problems.push(`in-place square then accumulate gave ${zv[0]} (expected 8)`);
  if (gpu.readbacks - before !== 4) problems.push(`readbacks: 4 reads counted as ${gpu.readbacks - before}`);
  gpu.release!(z);
  expectThrow('use after release', () => gpu.unary('neg', x, z), /released/);
  expectThrow('double release', () => gpu.release!(z), /already released/);
  const zeroed = gpu.allocate!(1000, false, true)!;
  const zr = await gpu.read(zeroed);
  if (zr.some((v) => v !== 0)) problems.push('allocate(zeroed) reused a buffer without clearing it');
  // More than 65535 workgroups: the 2-D grid.
  const n = 65536 * 256 + 1000;
  const big = gpu.allocate!(n, false, true)!;
  gpu.fill(big, 1.5);
  gpu.accumulate(big, big);
  const bv = await gpu.read(big);
  let bad = 0;
  for (let i = 0; i < n; i++) if (bv[i] !== 3) bad++;
  r.add('fill + accumulate over 2-D grid (16.8M elements)', bad, 0, 'bits');
  gpu.release!(big);
  for (const a of [x, y, zeroed]) gpu.release!(a);
  return problems;
}

export interface CheckReport {
  adapter: { vendor: string; architecture: string };
  results: ReturnType<Results['byName']['get']>[];
  problems: string[];
  deviceErrors: readonly string[];
  /** Seconds per group of checks. */
  sections: Record<string, number>;
  seconds: number;
}

export async function runChecks(gpu: WebGpuBackend, seed: number): Promise<CheckReport> {
  const t0 = performance.now();
  const r = new Results();
  const sections: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const v = await f();
    sections[name] = Math.round(performance.now() - t) / 1000;
    return v;
  };
  const problems = await timed('storage', () => storage(gpu, r));
  await timed('elementwise', () => elementwise(gpu, r, seed));
  await timed('strided', () => strided(gpu, r, seed));
  await timed('softmaxNll', () => softmaxNll(gpu, r, seed));
  await timed('gemms', () => gemms(gpu, r, seed));
  await timed('batchNorm', () => batchNorm(gpu, r, seed));
  await timed('optimisers', () => optimisers(gpu, r, seed));
  return {
    adapter: gpu.adapter,
    results: [...r.byName.values()],
    problems,
    deviceErrors: gpu.errors,
    sections: { ...sections, ...checkSeconds },
    seconds: (performance.now() - t0) / 1000,
  };
}
