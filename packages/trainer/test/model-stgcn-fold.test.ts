/**
 * ST-GCN inference (eval mode under noGrad) folds the BatchNorms after the temporal and residual
 * convolutions into them; the features must match the unfolded eval forward (grad enabled) to float32
 * rounding, with running statistics from a few training steps.
 */
import { Adam, crossEntropy, Linear, maxRelativeError, noGrad, randn } from '@asma/autodiff';
import { Rng } from '@asma/kernels';
import { StGcn } from '@asma/trainer';
import { expect, it } from 'vitest';

it('folded inference matches the unfolded eval forward', () => {
  const rng = new Rng(21);
  const model = new StGcn({ rng, baseChannels: 4, outChannels: 16 });
  const head = new Linear(16, 3, { rng });
  const opt = new Adam([...model.parameters(), ...head.parameters()], { lr: 1e-2 });
  const x = randn([3, 3, 12, 25, 2], rng);
  for (let s = 0; s < 3; s++) {
    model.train();
    const loss = crossEntropy(head.forward(model.forward(x)), [0, 1, 2]);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  }
  model.eval();
  const unfolded = model.forward(x); // grad on: BatchNorms run as ops
  expect(unfolded.requiresGrad).toBe(true);
  const folded = noGrad(() => model.forward(x));
  expect(maxRelativeError(folded.data, unfolded.data)).toBeLessThan(1e-5);
  expect(folded.data).not.toEqual(unfolded.data); // the folded path did run (its rounding differs)
});
