/**
 * The threaded CPU backend gives bit-identical results to the single-threaded one for any thread
 * count: per-sample kernels do the same arithmetic wherever a sample lands, and batch reductions sum
 * fixed parts in a fixed order. Checked on random shapes with plain and shared-memory arrays.
 */

import { Worker } from 'node:worker_threads';
import {
  cpuBackend,
  type FloatArray,
  type GraphAggArgs,
  isShared,
  KernelThreads,
  reductionParts,
  sharedFloat32,
  type TconvArgs,
  tconvOutLength,
  threadedCpuBackend,
} from '@asma/kernels';
import { Rng } from '@asma/util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitAnswer, DONE, PENDING } from '../src/cpu/threads/protocol.js';
import { randomArray } from './helpers.js';

let two: KernelThreads;
let three: KernelThreads;

beforeAll(async () => {
  [two, three] = await Promise.all([KernelThreads.start(2), KernelThreads.start(3)]);
});
afterAll(async () => {
  await Promise.all([two.close(), three.close()]);
});

/** The suites' seeded uniform(-1, 1) data, optionally moved into shared memory. */
function random(n: number, rng: Rng, shared: boolean): Float32Array {
  const a = randomArray(Float32Array, n, rng) as Float32Array;
  if (!shared) return a;
  const s = sharedFloat32(n);
  s.set(a);
  return s;
}

/** Same bits, NaN and -0 included. */
function expectIdentical(actual: FloatArray, expected: FloatArray, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < a.length; i++)
    if (a[i] !== e[i]) expect(`${what}[${i}] = ${actual[i]}`).toBe(`${expected[i]}`);
}

const tconvArb = fc.record({
  n: fc.integer({ min: 1, max: 13 }),
  cin: fc.integer({ min: 1, max: 9 }),
  cout: fc.integer({ min: 1, max: 9 }),
  t: fc.integer({ min: 1, max: 14 }),
  v: fc.integer({ min: 1, max: 6 }),
  kt: fc.constantFrom(1, 3, 9),
  stride: fc.integer({ min: 1, max: 2 }),
  bias: fc.boolean(),
  shared: fc.boolean(),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

describe('threaded temporal convolution is bit-identical to cpuBackend', () => {
  it('forward, backward-input, backward-weight, 2 and 3 threads, plain and shared arrays', () => {
    fc.assert(
      fc.property(tconvArb, fc.constantFrom(2, 3), (r, threads) => {
        const pool = threads === 2 ? two : three;
        const be = threadedCpuBackend(pool, { minMacs: 0 });
        const pad = Math.floor((r.kt - 1) / 2);
        const p: TconvArgs = {
          n: r.n,
          cin: r.cin,
          cout: r.cout,
          t: Math.max(r.t, r.kt),
          v: r.v,
          kt: r.kt,
          stride: r.stride,
          pad,
        };
        const to = tconvOutLength(p);
        const rng = new Rng(r.seed);
        const x = random(p.n * p.cin * p.t * p.v, rng, r.shared);
        const w = random(p.cout * p.cin * p.kt, rng, r.shared);
        const b = r.bias ? random(p.cout, rng, r.shared) : null;
        const dy = random(p.n * p.cout * to * p.v, rng, r.shared);
        const tag = JSON.stringify({ ...p, threads, shared: r.shared });

        const y1 = new Float32Array(dy.length);
        const y2 = r.shared ? sharedFloat32(dy.length) : new Float32Array(dy.length);
        cpuBackend.tconvForward(y1, x, w, b, p);
        be.tconvForward(y2, x, w, b, p);
        expectIdentical(y2, y1, `forward ${tag}`);

        const dx1 = new Float32Array(x.length);
        const dx2 = new Float32Array(x.length).fill(Number.NaN);
        cpuBackend.tconvBackwardInput(dx1, dy, w, p);
        be.tconvBackwardInput(dx2, dy, w, p);
        expectIdentical(dx2, dx1, `backward-input ${tag}`);

        const dw1 = new Float32Array(w.length);
        const dw2 = new Float32Array(w.length).fill(Number.NaN);
        const db1 = r.bias ? new Float32Array(p.cout) : null;
        const db2 = r.bias ? new Float32Array(p.cout).fill(Number.NaN) : null;
        cpuBackend.tconvBackwardWeight(dw1, db1, dy, x, p);
        be.tconvBackwardWeight(dw2, db2, dy, x, p);
        expectIdentical(dw2, dw1, `backward-weight ${tag}`);
        if (db1 && db2) expectIdentical(db2, db1, `backward-bias ${tag}`);
      }),
      { numRuns: 40 },
    );
  });
});

const graphArb = fc.record({
  n: fc.integer({ min: 1, max: 13 }),
  k: fc.integer({ min: 1, max: 3 }),
  c: fc.integer({ min: 1, max: 6 }),
  t: fc.integer({ min: 1, max: 6 }),
  v: fc.integer({ min: 1, max: 9 }),
  w: fc.integer({ min: 1, max: 9 }),
  shared: fc.boolean(),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

describe('threaded graph aggregation is bit-identical to cpuBackend', () => {
  it('forward, backward-input, backward-adjacency, 2 and 3 threads', () => {
    fc.assert(
      fc.property(graphArb, fc.constantFrom(2, 3), (r, threads) => {
        const be = threadedCpuBackend(threads === 2 ? two : three, { minMacs: 0 });
        const p: GraphAggArgs = { n: r.n, k: r.k, c: r.c, t: r.t, v: r.v, w: r.w };
        const rng = new Rng(r.seed);
        const x = random(p.n * p.k * p.c * p.t * p.v, rng, r.shared);
        const a = random(p.k * p.v * p.w, rng, r.shared);
        const dy = random(p.n * p.c * p.t * p.w, rng, r.shared);
        const tag = JSON.stringify({ ...p, threads, shared: r.shared });
        const y1 = new Float32Array(dy.length);
        const y2 = new Float32Array(dy.length).fill(Number.NaN);
        cpuBackend.graphAggForward(y1, x, a, p);
        be.graphAggForward(y2, x, a, p);
        expectIdentical(y2, y1, `forward ${tag}`);
        const dx1 = new Float32Array(x.length);
        const dx2 = new Float32Array(x.length).fill(Number.NaN);
        cpuBackend.graphAggBackwardInput(dx1, dy, a, p);
        be.graphAggBackwardInput(dx2, dy, a, p);
        expectIdentical(dx2, dx1, `backward-input ${tag}`);
        const da1 = new Float32Array(a.length);
        const da2 = new Float32Array(a.length).fill(Number.NaN);
        cpuBackend.graphAggBackwardAdjacency(da1, dy, x, p);
        be.graphAggBackwardAdjacency(da2, dy, x, p);
        expectIdentical(da2, da1, `backward-adjacency ${tag}`);
      }),
      { numRuns: 40 },
    );
  });
});

describe('threaded element-wise kernels are bit-identical to cpuBackend', () => {
  const runsArb = fc.record({
    n: fc.integer({ min: 1, max: 4 }),
    c: fc.integer({ min: 1, max: 9 }),
    inner: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 100, max: 700 })),
    training: fc.boolean(),
    relu: fc.boolean(),
    affine: fc.boolean(),
    shared: fc.boolean(),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  });

  it('batch norm forward and backward (channel split), add + ReLU, ReLU mask and dropout (element split)', () => {
    fc.assert(
      fc.property(runsArb, fc.constantFrom(2, 3), (r, threads) => {
        const be = threadedCpuBackend(threads === 2 ? two : three, { minElements: 0 });
        const rng = new Rng(r.seed);
        const size = r.n * r.c * r.inner;
        const runs = { n: r.n, c: r.c, inner: r.inner };
        const x = random(size, rng, r.shared);
        const g = random(size, rng, r.shared);
        const weight = r.affine ? random(r.c, rng, false) : null;
        const bias = r.affine ? random(r.c, rng, false) : null;
        const results = [cpuBackend, be].map((b) => {
          const stats = [0, 1, 2, 3, 4].map(() => new Float64Array(r.c));
          const [mean, variance, rstd, sumG, sumGXhat] = stats as [
            Float64Array,
            Float64Array,
            Float64Array,
            Float64Array,
            Float64Array,
          ];
          if (!r.training) for (let ch = 0; ch < r.c; ch++) [mean[ch], variance[ch]] = [0.1 * ch, 1 + ch];
          const out = new Float32Array(size);
          b.batchNormForward!({
            x,
            out,
            runs,
            training: r.training,
            mean,
            variance,
            rstd,
            eps: 1e-5,
            weight,
            bias,
            relu: r.relu,
          });
          const gx = new Float32Array(size);
          b.batchNormBackward!({
            g,
            x,
            reluOut: r.relu ? out : null,
            runs,
            mean,
            rstd,
            weight,
            training: r.training,
            gx,
            sumG,
            sumGXhat,
          });
          const sum = new Float32Array(size);
          b.addRelu!(sum, x, g);
          const masked = new Float32Array(size);
          b.reluMask!(masked, g, x);
          const dropped = new Float32Array(size);
          const mask = new Float32Array(size);
          b.dropout!(dropped, mask, x, 0.3, r.seed);
          return [dropped, mask, out, gx, sum, masked, ...stats.map((a) => new Float32Array(a.buffer))];
        });
        for (const [i, a] of results[1]!.entries()) expectIdentical(a, results[0]![i]!, `array ${i}`);
      }),
      { numRuns: 25 },
    );
  });
});

describe('waiting for a worker', () => {
  it('takes only the status word as the answer, not a stray wake-up', async () => {
    const words = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(words, 0, PENDING);
    // A thread that first wakes the waiter without answering (a late notify from an earlier job),
    // then answers 150 ms later.
    const src = `const { workerData } = require('node:worker_threads');
      const w = new Int32Array(workerData);
      const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
      sleep(60); Atomics.notify(w, 0); sleep(150); Atomics.store(w, 0, ${DONE}); Atomics.notify(w, 0);`;
    const thread = new Worker(src, { eval: true, workerData: words.buffer });
    const t0 = performance.now();
    expect(awaitAnswer(words, 0, 10_000)).toBe('answered');
    expect(Atomics.load(words, 0)).toBe(DONE);
    expect(performance.now() - t0).toBeGreaterThan(150);
    await thread.terminate();
    expect(awaitAnswer(new Int32Array(new SharedArrayBuffer(4)), 0, 20)).toBe('timed-out');
  });
});

describe('kernel threads', () => {
  it('report their thread count and put large float32 kernel outputs in shared memory', () => {
    expect(threadedCpuBackend(two).threads).toBe(2);
    expect(threadedCpuBackend(three).threads).toBe(3);
    const be = threadedCpuBackend(two);
    expect(isShared(be.allocate!(1 << 16, false, false)!)).toBe(true);
    expect(be.allocate!(1 << 16, true, false)).toBeNull();
    expect(be.allocate!(64, false, false)).toBeNull();
  });

  it('run float64 storage on the calling thread with the same results', () => {
    const be = threadedCpuBackend(two, { minMacs: 0 });
    const p: TconvArgs = { n: 5, cin: 3, cout: 2, t: 9, v: 2, kt: 3, stride: 1, pad: 1 };
    const rng = new Rng(3);
    const x = Float64Array.from({ length: 5 * 3 * 9 * 2 }, () => rng.uniform(-1, 1));
    const w = Float64Array.from({ length: 2 * 3 * 3 }, () => rng.uniform(-1, 1));
    const y1 = new Float64Array(5 * 2 * 9 * 2);
    const y2 = new Float64Array(y1.length);
    cpuBackend.tconvForward(y1, x, w, null, p);
    be.tconvForward(y2, x, w, null, p);
    expect(Array.from(y2)).toEqual(Array.from(y1));
  });

  it('split reductions into parts fixed by the batch size alone', () => {
    expect([0, 1, 2, 7, 8, 9, 100].map(reductionParts)).toEqual([1, 1, 2, 7, 8, 8, 8]);
  });

  it('refuse a bad thread count and use after close with clear errors', async () => {
    await expect(KernelThreads.start(0)).rejects.toThrow(/positive integer, got 0/);
    const pool = await KernelThreads.start(2);
    await pool.close();
    const be = threadedCpuBackend(pool, { minMacs: 0 });
    const p: GraphAggArgs = { n: 2, k: 1, c: 1, t: 1, v: 1, w: 1 };
    expect(() =>
      be.graphAggForward(new Float32Array(2), new Float32Array(2), new Float32Array(1), p),
    ).toThrow(/used after close/);
  });

  it('stop at a worker that does not answer or has exited, instead of waiting on it again', async () => {
    const p: GraphAggArgs = { n: 2, k: 1, c: 1, t: 1, v: 1, w: 1 };
    const call = (pool: KernelThreads) => () =>
      threadedCpuBackend(pool, { minMacs: 0 }).graphAggForward(
        new Float32Array(2),
        new Float32Array(2),
        new Float32Array(1),
        p,
      );
    const workerOf = (pool: KernelThreads) => (pool as unknown as { workers: Worker[] }).workers[0]!;
    await expect(KernelThreads.start(2, { answerTimeoutMs: 0 })).rejects.toThrow(/must be positive, got 0/);

    // Gone unnoticed (its exit not heard): nobody answers, the call gives up after the timeout, and
    // later calls at once.
    const silent = await KernelThreads.start(2, { answerTimeoutMs: 1000 });
    workerOf(silent).removeAllListeners('exit');
    await workerOf(silent).terminate();
    expect(call(silent)).toThrow(/worker 1 did not answer within 1 s/);
    const t0 = Date.now();
    expect(call(silent)).toThrow(
      /unusable since kernel worker 1 did not answer within 1 s; start a new pool/,
    );
    expect(Date.now() - t0).toBeLessThan(500); // not another wait of the timeout
    await silent.close();

    // Exited between calls: the next call says so without waiting.
    const gone = await KernelThreads.start(2, { answerTimeoutMs: 60_000 });
    await workerOf(gone).terminate();
    await new Promise((resolve) => setImmediate(resolve));
    expect(call(gone)).toThrow(/unusable since kernel worker 1 exited \(code 1\)/);
    await gone.close();
  });
});
