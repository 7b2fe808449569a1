/**
 * The float32 fast paths of relu and dropout are bit-identical to the plain loops they replaced
 * (including -0, NaN, infinities and subnormals), and batchNorm's four-accumulator sums agree with a
 * float64 two-pass reference.
 */
import { dropoutHash } from '@asma/kernels';
import { Rng } from '@asma/util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchNorm, dropout, mul, relu, Tensor } from '../../src/index.js';

const specials = [
  0,
  -0,
  Number.NaN,
  -Number.NaN,
  Infinity,
  -Infinity,
  1e-45,
  -1e-45,
  1.17549435e-38,
  -3.4e38,
  3.4e38,
];

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) expect([i, a[i]]).toEqual([i, b[i]]);
}

describe('relu float32 fast path', () => {
  it('matches x > 0 ? x : 0 bit for bit, forward and backward', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.float(), fc.constantFrom(...specials)), { minLength: 1, maxLength: 70 }),
        (vals) => {
          const x = new Tensor(Float32Array.from(vals), [vals.length], true);
          const y = relu(x);
          sameBits(
            y.data,
            // biome-ignore lint/complexity/useMathMinMax: ReLU's own rule (NaN -> 0, -0 -> 0), not Math.max's
            Float32Array.from(x.data, (v) => (v > 0 ? v : 0)),
          );
          const g = Float32Array.from(vals, (_, i) => (i % 3) - 1.5);
          const [gx] = y.gradFn!.backward!(g);
          sameBits(
            gx as Float32Array,
            Float32Array.from(x.data, (v, i) => (v > 0 ? g[i]! : 0)),
          );
        },
      ),
    );
  });

  it('reads a view with an offset correctly', () => {
    const buf = new Float32Array([9, -1, 2, -3, 4]);
    const y = relu(new Tensor(buf.subarray(1), [4]));
    sameBits(y.data, [0, 2, 0, 4]);
  });
});

describe('dropout', () => {
  it('draws the same masks as mul(x, dropoutHash(key, i) < p 2^32 ? 0 : 1 / (1 - p)), key = rng.nextU32(), bit for bit', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const p of [0.1, 0.5, 0.7, 1]) {
        const rng = new Rng(3);
        const n = 257;
        const vals = Array.from({ length: n }, (_, i) => (i < specials.length ? specials[i]! : rng.normal()));
        const x = new Tensor(dtype === 'float32' ? Float32Array.from(vals) : Float64Array.from(vals), [n]);
        const y = dropout(x, p, new Rng(42));
        const key = new Rng(42).nextU32();
        const m = new Tensor(
          x.data.map((_, i) => (p < 1 && dropoutHash(key, i) / 2 ** 32 >= p ? 1 / (1 - p) : 0)),
          [n],
        );
        sameBits(y.data, mul(x, m).data);
      }
    }
  });
});

describe('batchNorm statistics', () => {
  it('agree with a float64 two-pass reference on odd run lengths', () => {
    const rng = new Rng(5);
    const [n, c, l] = [3, 4, 37];
    const x = new Tensor(
      Float64Array.from({ length: n * c * l }, () => 100 + rng.normal()),
      [n, c, l],
    );
    const rm = new Tensor(new Float64Array(c), [c]);
    const rv = new Tensor(new Float64Array(c).fill(1), [c]);
    const y = batchNorm(x, rm, rv, null, null, { momentum: 1 });
    for (let ch = 0; ch < c; ch++) {
      const v: number[] = [];
      for (let i = 0; i < n; i++) for (let j = 0; j < l; j++) v.push(x.data[(i * c + ch) * l + j]!);
      const m = v.reduce((s, a) => s + a, 0) / v.length;
      const s2 = v.reduce((s, a) => s + (a - m) ** 2, 0);
      expect(rm.data[ch]).toBeCloseTo(m, 12);
      expect(rv.data[ch]).toBeCloseTo(s2 / (v.length - 1), 12);
      const r = 1 / Math.sqrt(s2 / v.length + 1e-5);
      expect(y.data[ch * l + 5]).toBeCloseTo((x.data[ch * l + 5]! - m) * r, 12);
    }
  });
});
