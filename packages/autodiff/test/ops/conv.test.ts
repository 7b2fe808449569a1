import { conv2dTemporal, gradCheck, graphAggregate, randn, tensor } from '@asma/autodiff';
import { Rng } from '@asma/util';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

const RUNS = { numRuns: 15, seed: 5 };
const f64 = { dtype: 'float64' as const };

describe('conv2dTemporal', () => {
  test('matches a direct loop and gradient-checks x, w, bias over strides and pads', () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 1, max: 2 }),
          cin: fc.integer({ min: 1, max: 3 }),
          cout: fc.integer({ min: 1, max: 3 }),
          t: fc.integer({ min: 1, max: 7 }),
          v: fc.integer({ min: 1, max: 3 }),
          kt: fc.integer({ min: 1, max: 5 }),
          stride: fc.integer({ min: 1, max: 3 }),
          pad: fc.integer({ min: 0, max: 3 }),
          bias: fc.boolean(),
          seed: fc.integer({ min: 0, max: 1000 }),
        }),
        (p) => {
          fc.pre(p.t + 2 * p.pad >= p.kt);
          const rng = new Rng(p.seed);
          const x = randn([p.n, p.cin, p.t, p.v], rng, f64);
          const w = randn([p.cout, p.cin, p.kt, 1], rng, f64);
          const b = p.bias ? randn([p.cout], rng, f64) : null;
          const opts = { stride: p.stride, pad: p.pad };
          const y = conv2dTemporal(x, w, b, opts);
          const tout = Math.floor((p.t + 2 * p.pad - p.kt) / p.stride) + 1;
          expect(y.shape).toEqual([p.n, p.cout, tout, p.v]);
          for (let ni = 0; ni < p.n; ni++)
            for (let co = 0; co < p.cout; co++)
              for (let to = 0; to < tout; to++)
                for (let vi = 0; vi < p.v; vi++) {
                  let s = b ? b.data[co]! : 0;
                  for (let ci = 0; ci < p.cin; ci++)
                    for (let q = 0; q < p.kt; q++) {
                      const ti = to * p.stride - p.pad + q;
                      if (ti >= 0 && ti < p.t)
                        s +=
                          w.data[(co * p.cin + ci) * p.kt + q]! *
                          x.data[((ni * p.cin + ci) * p.t + ti) * p.v + vi]!;
                    }
                  expect(y.data[((ni * p.cout + co) * tout + to) * p.v + vi]).toBeCloseTo(s, 12);
                }
          if (b) gradCheck((xx, ww, bb) => conv2dTemporal(xx!, ww!, bb!, opts), [x, w, b]);
          else gradCheck((xx, ww) => conv2dTemporal(xx!, ww!, null, opts), [x, w]);
        },
      ),
      RUNS,
    );
  });

  test('shape errors name the op and both shapes', () => {
    const x = tensor(new Float32Array(2 * 3 * 5 * 4), [2, 3, 5, 4]);
    expect(() => conv2dTemporal(x, tensor(new Float32Array(8 * 2 * 3), [8, 2, 3, 1]))).toThrow(
      'conv2dTemporal: input [2,3,5,4] has 3 channels but weight [8,2,3,1] expects 2',
    );
    expect(() => conv2dTemporal(x, tensor(new Float32Array(8 * 3 * 3), [8, 3, 3]))).toThrow(
      /weight must be \(Cout, Cin, kt, 1\)/,
    );
    expect(() => conv2dTemporal(x, tensor(new Float32Array(3 * 9), [1, 3, 9, 1]))).toThrow(/too short/);
  });
});

describe('graphAggregate', () => {
  test('matches the definition and gradient-checks both x and A', () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 1, max: 2 }),
          k: fc.integer({ min: 1, max: 3 }),
          c: fc.integer({ min: 1, max: 3 }),
          t: fc.integer({ min: 1, max: 3 }),
          v: fc.integer({ min: 1, max: 4 }),
          w: fc.integer({ min: 1, max: 4 }),
          seed: fc.integer({ min: 0, max: 1000 }),
        }),
        (p) => {
          const rng = new Rng(p.seed);
          const x = randn([p.n, p.k, p.c, p.t, p.v], rng, f64);
          const a = randn([p.k, p.v, p.w], rng, f64);
          const y = graphAggregate(x, a);
          expect(y.shape).toEqual([p.n, p.c, p.t, p.w]);
          for (let ni = 0; ni < p.n; ni++)
            for (let ci = 0; ci < p.c; ci++)
              for (let ti = 0; ti < p.t; ti++)
                for (let wi = 0; wi < p.w; wi++) {
                  let s = 0;
                  for (let ki = 0; ki < p.k; ki++)
                    for (let vi = 0; vi < p.v; vi++)
                      s +=
                        x.data[(((ni * p.k + ki) * p.c + ci) * p.t + ti) * p.v + vi]! *
                        a.data[(ki * p.v + vi) * p.w + wi]!;
                  expect(y.data[((ni * p.c + ci) * p.t + ti) * p.w + wi]).toBeCloseTo(s, 12);
                }
          gradCheck(graphAggregate, [x, a]);
        },
      ),
      RUNS,
    );
  });

  test('shape errors name the op and both shapes', () => {
    const x = tensor(new Float32Array(2 * 3 * 4 * 5 * 6), [2, 3, 4, 5, 6]);
    expect(() => graphAggregate(x, tensor(new Float32Array(3 * 7 * 7), [3, 7, 7]))).toThrow(
      'graphAggregate: input [2,3,4,5,6] (K=3, V=6) does not match adjacency [3,7,7] (K=3, V=7)',
    );
  });
});
