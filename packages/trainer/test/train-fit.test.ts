import { Adam, constantLr, Linear, mean, mul, sqrt, sum, Tensor } from '@asma/autodiff';
import { Rng } from '@asma/util';
import { describe, expect, it } from 'vitest';
import { NonFiniteError } from '../src/train/errors.js';
import { fit } from '../src/train/fit.js';

function setup(poison: (step: number) => 'loss' | 'grad' | null) {
  const rng = new Rng(0);
  const module = new Linear(3, 1, { rng });
  const x = new Tensor(
    new Float32Array(8 * 3).map((_, i) => Math.sin(i)),
    [8, 3],
  );
  let step = 0;
  return () =>
    fit({
      module,
      optimizer: new Adam(module.parameters(), { lr: 0.01 }),
      schedule: constantLr(0.01),
      epochs: 3,
      count: 8,
      batchSize: 4,
      rng,
      progress: false,
      step: () => {
        const p = poison(step++);
        const out = mean(module.forward(x));
        if (p === 'loss') return { loss: mul(out, Number.NaN) };
        // sqrt at 0: a finite loss whose gradient is 0 * Inf = NaN.
        if (p === 'grad') return { loss: sum(sqrt(mul(module.weight, 0))) };
        return { loss: out };
      },
    });
}

describe('fit guards against NaN and Inf', () => {
  it('names the epoch and step of a non-finite loss', async () => {
    const run = setup((s) => (s === 3 ? 'loss' : null));
    await expect(run()).rejects.toThrow(NonFiniteError);
    await expect(setup((s) => (s === 3 ? 'loss' : null))()).rejects.toThrow('epoch 1, step 3: loss is NaN');
  });

  it('names the parameter whose gradient is not finite', async () => {
    await expect(setup((s) => (s === 2 ? 'grad' : null))()).rejects.toThrow(
      /^epoch 1, step 2: gradient of weight holds (NaN|Infinity|-Infinity)/,
    );
  });

  it('runs every epoch with finite values', async () => {
    const { history } = await setup(() => null)();
    expect(history.map((h) => h.epoch)).toEqual([0, 1, 2]);
    expect(history.every((h) => h.samples === 8)).toBe(true);
  });
});
