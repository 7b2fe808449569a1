/**
 * The buffer pool's rule, checked on every kernel the backend table has: a kernel handed a buffer with
 * old values in it (autodiff's `allocate(..., false)`) overwrites its whole output. Each call runs
 * twice, into NaN-filled and into zero-filled outputs: the results must be bit-identical and free of
 * NaN. On both backends (every threaded call split), float32 and float64, and each runtime path
 * (wasm, direct, Winograd, JS gemm, JS element-wise).
 */
import {
  cpuBackend,
  DEFAULT_RUNTIME_OPTIONS,
  type FloatArray,
  type KernelBackend,
  KernelThreads,
  type RuntimeOptions,
  setRuntimeOptions,
  type TconvArgs,
  tconvOutLength,
  threadedCpuBackend,
} from '@asma/kernels';
import { Rng } from '@asma/util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CTORS, type Ctor, randomArray } from './helpers.js';

let pool: KernelThreads;
beforeAll(async () => {
  pool = await KernelThreads.start(3);
});
afterAll(async () => {
  await pool.close();
});
afterEach(() => {
  setRuntimeOptions(DEFAULT_RUNTIME_OPTIONS);
});

/** Run `call` into NaN-filled then zero-filled `outs`: each output must come out the same, NaN-free. */
function expectOverwritten(what: string, outs: FloatArray[], call: () => void): void {
  const results = [Number.NaN, 0].map((fill) => {
    for (const o of outs) o.fill(fill);
    call();
    return outs.map((o) => o.slice());
  });
  for (const [i, poisoned] of results[0]!.entries()) {
    const clean = results[1]![i]!;
    const at = poisoned.findIndex((v, j) => Number.isNaN(v) || !Object.is(v, clean[j]));
    expect(at, `${what}: output ${i} element ${at} not written (${poisoned[at]} vs ${clean[at]})`).toBe(-1);
  }
}

const paths: [string, Partial<RuntimeOptions>][] = [
  ['default (wasm, direct, Winograd)', {}],
  ['gemm js', { gemm: 'js' }],
  ['im2col + wasm gemm', { directConv: false }],
  ['JS element-wise', { elementwiseWasm: false }],
];

function runAll(be: KernelBackend, ctor: Ctor, rng: Rng): void {
  const rand = (n: number) => randomArray(ctor, n, rng);
  const out = (n: number) => new ctor(n);
  // Wide enough for Winograd (64 channels, kt 9), and a strided and a 1x1 case.
  const convs: TconvArgs[] = [
    { n: 3, cin: 64, cout: 64, t: 12, v: 5, kt: 9, stride: 1, pad: 4 },
    { n: 3, cin: 5, cout: 7, t: 11, v: 4, kt: 9, stride: 2, pad: 4 },
    { n: 2, cin: 6, cout: 3, t: 5, v: 3, kt: 1, stride: 1, pad: 0 },
  ];
  for (const p of convs) {
    const yLen = p.n * p.cout * tconvOutLength(p) * p.v;
    const x = rand(p.n * p.cin * p.t * p.v);
    const w = rand(p.cout * p.cin * p.kt);
    const bias = rand(p.cout);
    const dy = rand(yLen);
    const tag = `conv ${JSON.stringify(p)}`;
    const y = out(yLen);
    expectOverwritten(`tconvForward ${tag}`, [y], () => be.tconvForward(y, x, w, bias, p));
    const dx = out(x.length);
    expectOverwritten(`tconvBackwardInput ${tag}`, [dx], () => be.tconvBackwardInput(dx, dy, w, p));
    const dw = out(w.length);
    const db = out(p.cout);
    expectOverwritten(`tconvBackwardWeight ${tag}`, [dw, db], () => be.tconvBackwardWeight(dw, db, dy, x, p));
  }
  const g = { n: 3, k: 3, c: 4, t: 6, v: 5, w: 5 };
  const gx = rand(g.n * g.k * g.c * g.t * g.v);
  const ga = rand(g.k * g.v * g.w);
  const gdy = rand(g.n * g.c * g.t * g.w);
  const gy = out(gdy.length);
  expectOverwritten('graphAggForward', [gy], () => be.graphAggForward(gy, gx, ga, g));
  const gdx = out(gx.length);
  expectOverwritten('graphAggBackwardInput', [gdx], () => be.graphAggBackwardInput(gdx, gdy, ga, g));
  const gdA = out(ga.length);
  expectOverwritten('graphAggBackwardAdjacency', [gdA], () => be.graphAggBackwardAdjacency(gdA, gdy, gx, g));
  const mm = { batch: 2, m: 9, k: 17, n: 11 };
  const mo = out(mm.batch * mm.m * mm.n);
  const ma = rand(mm.batch * mm.m * mm.k);
  const mb = rand(mm.batch * mm.k * mm.n);
  expectOverwritten('matmul', [mo], () => be.matmul(mo, ma, mb, mm));

  // Element-wise kernels: long channel runs take the wasm loops.
  const runs = { n: 3, c: 4, inner: 40 };
  const len = runs.n * runs.c * runs.inner;
  const x = rand(len);
  const bnOut = out(len);
  const mean = new Float64Array(runs.c);
  const variance = new Float64Array(runs.c);
  const rstd = new Float64Array(runs.c);
  const weight = rand(runs.c);
  const bias = rand(runs.c);
  for (const relu of [false, true]) {
    const fwd = { x, out: bnOut, runs, mean, variance, rstd, eps: 1e-5, weight, bias, relu };
    expectOverwritten(`batchNormForward training relu=${relu}`, [bnOut, mean, variance, rstd], () =>
      be.batchNormForward!({ ...fwd, training: true }),
    );
    expectOverwritten(`batchNormForward eval relu=${relu}`, [bnOut, rstd], () =>
      be.batchNormForward!({ ...fwd, training: false }),
    );
    const gIn = rand(len);
    const gxOut = out(len);
    const sumG = new Float64Array(runs.c);
    const sumGXhat = new Float64Array(runs.c);
    for (const training of [true, false])
      expectOverwritten(`batchNormBackward training=${training} relu=${relu}`, [gxOut, sumG, sumGXhat], () =>
        be.batchNormBackward!({
          g: gIn,
          x,
          reluOut: relu ? bnOut : null,
          runs,
          mean,
          rstd,
          weight,
          training,
          gx: gxOut,
          sumG,
          sumGXhat,
        }),
      );
  }
  const b = rand(len);
  const o = out(len);
  expectOverwritten('addRelu', [o], () => be.addRelu!(o, x, b));
  expectOverwritten('reluMask', [o], () => be.reluMask!(o, b, x));
  const mask = out(len);
  expectOverwritten('dropout', [o, mask], () => be.dropout!(o, mask, x, 0.3, 12345));
}

describe('every kernel overwrites its whole output (the buffer pool hands out non-zeroed buffers)', () => {
  for (const [pathName, options] of paths)
    it(`${pathName}: cpu and threaded backends, float32 and float64`, () => {
      setRuntimeOptions(options);
      const backends: [string, KernelBackend][] = [
        ['cpu', cpuBackend],
        ['threaded (3, every call split)', threadedCpuBackend(pool, { minMacs: 0, minElements: 0 })],
      ];
      for (const [, be] of backends) for (const [, ctor] of CTORS) runAll(be, ctor, new Rng(11));
    });
});

it('the check catches a kernel that skips one element', () => {
  const o = new Float32Array(8);
  expect(() => expectOverwritten('skips the last', [o], () => o.fill(1, 0, 7))).toThrow(
    /skips the last: output 0 element 7 not written/,
  );
});
