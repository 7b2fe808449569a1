import { gradCheck, randn, Tensor, tensor } from '@asma/autodiff';
import { Rng } from '@asma/util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { barlowTwinsLoss, batchStandardize } from '../src/losses/barlow-twins.js';
import { expectClose, getTensor, loadFixture } from './model-fixtures.js';

function leaf(t: Tensor): Tensor {
  return new Tensor(t.data.slice(), t.shape, true);
}

describe('barlowTwinsLoss vs PyTorch', () => {
  const f = loadFixture('barlow-twins.safetensors');

  it('matches loss and gradients with lambda 2e-4 (z standardised inside)', () => {
    const z1 = leaf(getTensor(f, 'z1'));
    const z2 = leaf(getTensor(f, 'z2'));
    const loss = barlowTwinsLoss(z1, z2, { lambda: 2e-4 });
    expectClose('loss', loss.reshape([1]), getTensor(f, 'loss'));
    loss.backward();
    expectClose('grad z1', z1.grad, getTensor(f, 'grad.z1'));
    expectClose('grad z2', z2.grad, getTensor(f, 'grad.z2'));
  });

  it('matches loss and gradients with lambda 0.5 (off-diagonal term dominant)', () => {
    const z1 = leaf(getTensor(f, 'z1'));
    const z2 = leaf(getTensor(f, 'z2'));
    const loss = barlowTwinsLoss(z1, z2, { lambda: 0.5 });
    expectClose('loss', loss.reshape([1]), getTensor(f, 'lambda05.loss'));
    loss.backward();
    expectClose('grad z1', z1.grad, getTensor(f, 'lambda05.grad.z1'));
    expectClose('grad z2', z2.grad, getTensor(f, 'lambda05.grad.z2'));
  });
});

describe('barlowTwinsLoss properties', () => {
  it('is zero for identical, perfectly decorrelated standardised views', () => {
    // Columns of a 4 x 2 matrix with zero mean, unit biased variance and zero correlation.
    const z = tensor([1, 1, -1, 1, 1, -1, -1, -1], [4, 2]);
    const loss = barlowTwinsLoss(z, z, { lambda: 1, normalize: false });
    expect(loss.item()).toBeCloseTo(0, 6);
  });

  it('standardises each feature to zero mean and unit variance', () => {
    const z = tensor([1, 10, 2, 20, 3, 30, 6, 60], [4, 2]);
    const s = batchStandardize(z, 0);
    for (let d = 0; d < 2; d++) {
      const col = [0, 1, 2, 3].map((i) => s.data[i * 2 + d]!);
      const m = col.reduce((a, b) => a + b) / 4;
      const v = col.reduce((a, b) => a + (b - m) ** 2, 0) / 4;
      expect(m).toBeCloseTo(0, 6);
      expect(v).toBeCloseTo(1, 5);
    }
  });

  it('rejects mismatched shapes and batches of one', () => {
    const a = tensor([1, 2, 3, 4], [2, 2]);
    expect(() => barlowTwinsLoss(a, tensor([1, 2, 3], [1, 3]))).toThrow(/\(N, D\)/);
    expect(() => barlowTwinsLoss(tensor([1, 2], [1, 2]), tensor([1, 2], [1, 2]))).toThrow(/at least 2/);
  });
});

describe('barlowTwinsLoss gradient check (float64, random shapes)', () => {
  it('matches central differences for both views', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        fc.integer({ min: 0, max: 1_000_000 }),
        (n, d, lambda, normalize, seed) => {
          const rng = new Rng(seed);
          const z1 = randn([n, d], rng, { dtype: 'float64' });
          const z2 = randn([n, d], rng, { dtype: 'float64' });
          gradCheck((a, b) => barlowTwinsLoss(a!, b!, { lambda, normalize }), [z1, z2], {
            rtol: 1e-5,
            atol: 1e-7,
          });
        },
      ),
      { numRuns: 40 },
    );
  });
});
