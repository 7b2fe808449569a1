/**
 * foldBatchNorm: one convolution with the eval-mode BatchNorm folded in gives bn(conv(x)) up to float32
 * rounding, on random shapes, strides and statistics (a float64 model: to rounding of float64).
 */
import { Rng } from '@asma/util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BatchNorm2d,
  batchNormAffine,
  Conv2d,
  conv2dTemporal,
  foldable,
  foldBatchNorm,
  maxRelativeError,
  noGrad,
  randn,
} from '../src/index.js';

/** A conv and a BN with non-trivial running statistics and affine parameters. */
function pair(
  cin: number,
  cout: number,
  kt: number,
  stride: number,
  seed: number,
  dtype: 'float32' | 'float64',
) {
  const rng = new Rng(seed);
  const conv = new Conv2d(cin, cout, [kt, 1], {
    rng,
    stride: [stride, 1],
    padding: [(kt - 1) / 2, 0],
    dtype,
  });
  const bn = new BatchNorm2d(cout, { dtype });
  for (let c = 0; c < cout; c++) {
    bn.runningMean!.data[c] = rng.normal();
    bn.runningVar!.data[c] = 0.1 + 2 * rng.uniform();
    bn.weight!.data[c] = rng.normal();
    bn.bias!.data[c] = rng.normal();
  }
  bn.eval();
  return { conv, bn };
}

describe('foldBatchNorm', () => {
  it('matches bn(conv(x)) in eval mode on random shapes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(1, 3, 9),
        fc.constantFrom(1, 2),
        fc.integer({ min: 0, max: 1000 }),
        fc.constantFrom('float32' as const, 'float64' as const),
        (cin, cout, kt, stride, seed, dtype) => {
          const { conv, bn } = pair(cin, cout, kt, stride, seed, dtype);
          const x = randn([2, cin, 11, 5], new Rng(seed + 1), { dtype });
          const ref = noGrad(() => bn.forward(conv.forward(x)));
          const f = foldBatchNorm(conv, bn);
          const got = noGrad(() => conv2dTemporal(x, f.weight, f.bias, { stride, pad: conv.padding }));
          expect(got.shape).toEqual(ref.shape);
          expect(maxRelativeError(got.data, ref.data)).toBeLessThan(dtype === 'float32' ? 1e-5 : 1e-12);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('is foldable only in eval mode with running statistics, and checks the channel count', () => {
    const { conv, bn } = pair(3, 4, 3, 1, 1, 'float32');
    expect(foldable(bn)).toBe(true);
    bn.train();
    expect(foldable(bn)).toBe(false);
    expect(batchNormAffine(bn).scale.length).toBe(4); // the eval-mode affine, whatever the mode
    expect(foldable(new BatchNorm2d(4, { trackRunningStats: false }))).toBe(false);
    expect(() => foldBatchNorm(conv, new BatchNorm2d(5))).toThrow(/5 channels cannot follow Conv2d with 4/);
    // The folded weights run through the convolution's own input check, stride and padding.
    const f = foldBatchNorm(conv, bn);
    expect(() => conv.forwardWith(randn([1, 2, 5, 3], new Rng(0)), f.weight, f.bias)).toThrow(
      /Conv2d\(3, 4\): input must be \(N, 3, T, V\), got \[1,2,5,3\]/,
    );
  });
});
