import { conv2dTemporal, noGrad, randn, Tensor } from '@asma/autodiff';
import { accuracy, argmaxRows } from '@asma/trainer';
import { Rng } from '@asma/util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  distill,
  floatConv,
  foldClassifier,
  foldedForward,
  foldedLogits,
  int8Conv,
  quantizeClassifier,
  quantizedLayers,
  quantizeInto,
  quantizeWeights,
} from '../src/index.js';
import { randomizeStats, tinyClassifier, tinyDataset } from './helpers.js';

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    e = Math.max(e, Math.abs(a[i]! - b[i]!));
    s = Math.max(s, Math.abs(b[i]!));
  }
  return e / Math.max(s, 1e-12);
}

const convCase = fc.record({
  n: fc.integer({ min: 1, max: 2 }),
  cin: fc.integer({ min: 1, max: 4 }),
  cout: fc.integer({ min: 1, max: 4 }),
  t: fc.integer({ min: 3, max: 7 }),
  v: fc.integer({ min: 1, max: 3 }),
  kt: fc.constantFrom(1, 3),
  stride: fc.integer({ min: 1, max: 2 }),
  seed: fc.integer({ min: 0, max: 1000 }),
});

describe('int8 kernels', () => {
  it('floatConv equals conv2dTemporal (PyTorch semantics)', () => {
    fc.assert(
      fc.property(convCase, (c) => {
        const rng = new Rng(c.seed);
        const x = randn([c.n, c.cin, c.t, c.v], rng);
        const w = randn([c.cout, c.cin, c.kt, 1], rng);
        const b = randn([c.cout], rng);
        const pad = (c.kt - 1) / 2;
        const want = noGrad(() => conv2dTemporal(x, w, b, { stride: c.stride, pad })).data;
        const got = new Float32Array(want.length);
        floatConv(got, x.data as Float32Array, w.data as Float32Array, b.data as Float32Array, { ...c, pad });
        expect(relErr(got, want)).toBeLessThan(1e-6);
      }),
      { numRuns: 40 },
    );
  });

  it('int8Conv is the float conv of the dequantised operands (exact int32 accumulation)', () => {
    fc.assert(
      fc.property(convCase, (c) => {
        const rng = new Rng(c.seed);
        const x = randn([c.n, c.cin, c.t, c.v], rng).data as Float32Array;
        const w = randn([c.cout, c.cin, c.kt], rng).data as Float32Array;
        const bias = randn([c.cout], rng).data as Float32Array;
        const xScale = 0.02;
        const xq = new Int8Array(x.length);
        quantizeInto(xq, x, xScale);
        const { q, scale } = quantizeWeights(w, c.cout);
        const pad = (c.kt - 1) / 2;
        const tout = Math.floor((c.t + 2 * pad - c.kt) / c.stride) + 1;
        const args = { ...c, pad };
        const got = new Float32Array(c.n * c.cout * tout * c.v);
        int8Conv(got, xq, xScale, q, scale, bias, args, new Int32Array(4 * tout * c.v));
        const xd = Float32Array.from(xq, (v) => v * xScale);
        const wd = Float32Array.from(q, (v, i) => v * scale[Math.floor(i / (c.cin * c.kt))]!);
        const want = new Float32Array(got.length);
        floatConv(want, xd, wd, bias, args);
        expect(relErr(got, want)).toBeLessThan(1e-5);
        // Quantised weights are within half a step of the originals.
        w.forEach((v, i) => {
          const s = scale[Math.floor(i / (c.cin * c.kt))]!;
          expect(Math.abs(wd[i]! - v)).toBeLessThanOrEqual(s / 2 + 1e-7);
        });
      }),
      { numRuns: 40 },
    );
  });

  it('quantizeInto rounds and saturates at +-127', () => {
    const out = new Int8Array(5);
    quantizeInto(out, [0.26, -0.24, 10, -10, 0], 0.1);
    expect([...out]).toEqual([3, -2, 100, -100, 0]);
    quantizeInto(out, [100, -100, 12.75, 0.06, -0.06], 0.1);
    expect([...out]).toEqual([127, -127, 127, 1, -1]);
  });

  it('quantizeInto rounds ties to even, as PyTorch quantize_per_tensor does', () => {
    const out = new Int8Array(6);
    // x / 0.5: 0.5, 1.5, 2.5, -0.5, -1.5, -2.5
    quantizeInto(out, [0.25, 0.75, 1.25, -0.25, -0.75, -1.25], 0.5);
    expect([...out]).toEqual([0, 2, 2, 0, -2, -2]);
  });
});

describe('folding and int8 forward', () => {
  const x = randn([2, 3, 12, 25, 2], new Rng(3));

  it('the folded float model equals the eval-mode classifier', () => {
    for (const edge of [true, false]) {
      const m = tinyClassifier(4, 2, edge);
      randomizeStats(m, 9);
      m.eval();
      const want = noGrad(() => m.forward(x)).data;
      const got = foldedForward(foldClassifier(m), x.data as Float32Array, x.shape);
      expect(relErr(got, want)).toBeLessThan(1e-5);
    }
  });

  it('int8 logits stay close to float and keep the accuracy of a trained model', async () => {
    const train = tinyDataset({ perClass: 8, classes: 4, frames: 12 });
    const r = await distill({
      model: tinyClassifier(4, 1, false),
      train,
      alpha: 1,
      epochs: 10,
      lr: 3e-2,
      batchSize: 8,
      progress: false,
    });
    r.model.eval();
    const folded = foldClassifier(r.model);
    const q = quantizeClassifier(r.model, train, { batches: 2, batchSize: 8 });
    const fl = foldedLogits(folded, train, 'float');
    const il = foldedLogits(q, train, 'int8');
    const labels = train.labels!;
    const floatAcc = accuracy(new Tensor(fl, [32, 4]), labels);
    const intAcc = accuracy(new Tensor(il, [32, 4]), labels);
    expect(floatAcc).toBeGreaterThan(0.4); // chance 0.25, measured 0.53
    expect(Math.abs(floatAcc - intAcc)).toBeLessThanOrEqual(2 / 32);
    expect(relErr(il, fl)).toBeLessThan(0.05);
    const agree = argmaxRows(new Tensor(il, [32, 4])).filter(
      (p, i) => p === argmaxRows(new Tensor(fl, [32, 4]))[i],
    );
    expect(agree.length).toBeGreaterThanOrEqual(30);
    // Percentile calibration clips the activation range: scales never above the max rule's.
    const pq = quantizeClassifier(r.model, train, {
      method: 'percentile',
      percentile: 99.9,
      batches: 2,
      batchSize: 8,
    });
    const maxScales = quantizedLayers(q).map(([, l]) => l.xScale!);
    for (const [i, [, l]] of quantizedLayers(pq).entries())
      expect(l.xScale!).toBeLessThanOrEqual(maxScales[i]!);
    expect(quantizedLayers(pq).some(([, l], i) => l.xScale! < maxScales[i]!)).toBe(true);
    expect(Number.isFinite(relErr(foldedLogits(pq, train, 'int8'), fl))).toBe(true);
  });

  it('refuses an int8 forward of an unquantised model and a wrong input shape', () => {
    const f = foldClassifier(tinyClassifier());
    expect(() => foldedForward(f, x.data as Float32Array, x.shape, 'int8')).toThrow(/0.gcn is not quantised/);
    expect(() => foldedForward(f, new Float32Array(10), [1, 2, 5, 1, 1])).toThrow(/input must be/);
  });
});
