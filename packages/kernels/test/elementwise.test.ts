/**
 * The WebAssembly element-wise kernels against the JS loops, bit for bit, on random shapes with the
 * awkward values (NaN, +-0, +-Infinity, subnormals) mixed in; plus the JS loops against plain formulas.
 */

import { Rng } from '@asma/util';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  addReluInto,
  batchNormBackwardInto,
  batchNormForwardInto,
  type ChannelRuns,
  dropoutInto,
  mulInto,
  reluMaskInto,
  setElementwiseWasm,
  wasmSimdAvailable,
} from '../src/index.js';

const SPECIAL = [
  Number.NaN,
  0,
  -0,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1e-45,
  -1e-45,
  3.4e38,
];

/** Uniform values in [-1, 1) with about one in ten replaced by a special value. */
function values(n: number, seed: number, special = true): Float32Array {
  const rng = new Rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++)
    a[i] = special && rng.next() < 0.1 ? SPECIAL[rng.int(SPECIAL.length)]! : rng.uniform(-1, 1);
  return a;
}

/** Runs f with the wasm path on and off; returns both results. */
function bothPaths<T>(f: () => T): [T, T] {
  setElementwiseWasm(true);
  const wasm = f();
  setElementwiseWasm(false);
  const js = f();
  setElementwiseWasm(true);
  return [wasm, js];
}

/** Bit patterns, with every NaN as 'NaN' (JS does not pin NaN payloads or signs). */
const bits = (a: Float32Array | Float64Array) => {
  const raw = a instanceof Float32Array ? new Uint32Array(a.buffer) : new BigUint64Array(a.buffer);
  return Array.from(a, (v, i) => (Number.isNaN(v) ? 'NaN' : String(raw[i])));
};

afterEach(() => setElementwiseWasm(true));

describe.skipIf(!wasmSimdAvailable())('element-wise kernels: WebAssembly = JS loops, bit for bit', () => {
  const lengths = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 250, max: 40000 }));

  it.each([
    ['addReluInto', addReluInto],
    ['reluMaskInto', reluMaskInto],
    ['mulInto', mulInto],
  ] as const)('%s', (_name, kernel) => {
    fc.assert(
      fc.property(lengths, fc.integer(), (n, seed) => {
        const a = values(n, seed);
        const b = values(n, seed + 1);
        const [w, j] = bothPaths(() => {
          const out = new Float32Array(n);
          kernel(out, a, b);
          return out;
        });
        expect(bits(w)).toEqual(bits(j));
      }),
      { numRuns: 30 },
    );
  });

  it('dropoutInto: the same masks and outputs, and any range drawn on its own', () => {
    fc.assert(
      fc.property(
        lengths,
        fc.integer(),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        (n, seed, p, key) => {
          const x = values(n, seed);
          const [w, j] = bothPaths(() => {
            const out = new Float32Array(n);
            const mask = new Float32Array(n);
            dropoutInto(out, mask, x, p, key);
            // The same call drawn in two ranges, the second counted from its offset.
            const cut = n >> 1;
            const out2 = new Float32Array(n);
            const mask2 = new Float32Array(n);
            dropoutInto(out2.subarray(0, cut), mask2.subarray(0, cut), x.subarray(0, cut), p, key);
            dropoutInto(out2.subarray(cut), mask2.subarray(cut), x.subarray(cut), p, key, cut);
            expect(bits(out2)).toEqual(bits(out));
            expect(bits(mask2)).toEqual(bits(mask));
            return { out: bits(out), mask: bits(mask) };
          });
          expect(w).toEqual(j);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('dropoutInto keeps a 1 - p share, scaled by 1 / (1 - p), different per key', () => {
    const n = 200000;
    const x = new Float32Array(n).fill(1);
    for (const p of [0.1, 0.5, 0.9]) {
      const out = new Float32Array(n);
      const mask = new Float32Array(n);
      dropoutInto(out, mask, x, p, 12345);
      const kept = mask.filter((m) => m !== 0);
      // Binomial standard deviation <= 0.0012 at n = 200000: 0.006 is five of them.
      expect(Math.abs(kept.length / n - (1 - p))).toBeLessThan(0.006);
      expect(new Set(kept).size).toBe(1);
      expect(kept[0]).toBe(Math.fround(1 / (1 - p)));
      const other = new Float32Array(n);
      dropoutInto(new Float32Array(n), other, x, p, 54321);
      let same = 0;
      for (let i = 0; i < n; i++) if ((other[i] !== 0) === (mask[i] !== 0)) same++;
      // Independent masks agree on p^2 + (1-p)^2 of the elements.
      expect(Math.abs(same / n - (p * p + (1 - p) ** 2))).toBeLessThan(0.006);
    }
  });

  const runs = fc.record({
    n: fc.integer({ min: 1, max: 5 }),
    c: fc.integer({ min: 1, max: 9 }),
    inner: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 300, max: 2000 })),
  });

  it('batchNormForwardInto / batchNormBackwardInto (training and eval, affine or not, ReLU or not)', () => {
    fc.assert(
      fc.property(
        runs,
        fc.integer(),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (r, seed, training, affine, relu) => {
          const size = r.n * r.c * r.inner;
          const x = values(size, seed, false);
          const g = values(size, seed + 1);
          const weight = affine ? values(r.c, seed + 2, false) : null;
          const bias = affine ? values(r.c, seed + 3, false) : null;
          const [w, j] = bothPaths(() => forwardBackward(r, x, g, weight, bias, training, relu));
          expect(w).toEqual(j);
        },
      ),
      { numRuns: 40 },
    );
  });
});

function forwardBackward(
  runs: ChannelRuns,
  x: Float32Array,
  g: Float32Array,
  weight: Float32Array | null,
  bias: Float32Array | null,
  training: boolean,
  relu: boolean,
) {
  const c = runs.c;
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  if (!training)
    for (let ch = 0; ch < c; ch++) {
      mean[ch] = 0.1 * ch - 0.2;
      variance[ch] = 0.5 + 0.25 * ch;
    }
  const rstd = new Float64Array(c);
  const out = new Float32Array(x.length);
  batchNormForwardInto({ x, out, runs, training, mean, variance, rstd, eps: 1e-5, weight, bias, relu });
  const gx = new Float32Array(x.length);
  const sumG = new Float64Array(c);
  const sumGXhat = new Float64Array(c);
  batchNormBackwardInto({
    g,
    x,
    reluOut: relu ? out : null,
    runs,
    mean,
    rstd,
    weight,
    training,
    gx,
    sumG,
    sumGXhat,
  });
  return [out, gx, mean, variance, rstd, sumG, sumGXhat].map(bits);
}

describe('element-wise kernels: the JS loops', () => {
  it('addReluInto, reluMaskInto, mulInto on special values', () => {
    setElementwiseWasm(false);
    const a = Float32Array.from(SPECIAL);
    const b = Float32Array.from(SPECIAL.map(() => 0.5));
    const out = new Float32Array(a.length);
    addReluInto(out, a, b);
    expect(Array.from(out)).toEqual(SPECIAL.map((v) => (v + 0.5 > 0 ? Math.fround(v + 0.5) : 0)));
    reluMaskInto(out, b, a);
    expect(Array.from(out)).toEqual(SPECIAL.map((v) => (v > 0 ? 0.5 : 0)));
    expect(Object.is(out[2], 0)).toBe(true);
    mulInto(out, a, b);
    expect(Array.from(out)).toEqual(SPECIAL.map((v) => Math.fround(v * 0.5)));
  });

  it('batchNormForwardInto normalises each channel to mean 0, variance 1', () => {
    const runs = { n: 3, c: 2, inner: 50 };
    const x = values(300, 5, false);
    const out = new Float32Array(300);
    const [mean, variance, rstd] = [new Float64Array(2), new Float64Array(2), new Float64Array(2)];
    batchNormForwardInto({
      x,
      out,
      runs,
      training: true,
      mean,
      variance,
      rstd,
      eps: 0,
      weight: null,
      bias: null,
      relu: false,
    });
    for (let ch = 0; ch < 2; ch++) {
      const v: number[] = [];
      for (let ni = 0; ni < 3; ni++) for (let l = 0; l < 50; l++) v.push(out[(ni * 2 + ch) * 50 + l]!);
      const m = v.reduce((s, t) => s + t, 0) / v.length;
      expect(Math.abs(m)).toBeLessThan(1e-6);
      expect(v.reduce((s, t) => s + (t - m) ** 2, 0) / v.length).toBeCloseTo(1, 5);
    }
  });

  it('rejects mismatched lengths and p outside (0, 1)', () => {
    expect(() => addReluInto(new Float32Array(3), new Float32Array(3), new Float32Array(2))).toThrow(
      /every array must have 3 elements, got 2/,
    );
    expect(() => dropoutInto(new Float32Array(1), new Float32Array(1), new Float32Array(1), 1, 7)).toThrow(
      /p must lie in \(0, 1\)/,
    );
  });
});
