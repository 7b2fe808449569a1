/**
 * ST-GCN inference (eval mode under noGrad) folds the BatchNorms after the temporal and residual
 * convolutions into them; the features must match the unfolded eval forward (grad enabled) to float32
 * rounding, with running statistics from a few training steps. Spies count the folded calls, so the
 * test shows the folded path ran (not only that its rounding differs).
 */
import {
  Adam,
  BatchNorm2d,
  Conv2d,
  crossEntropy,
  Linear,
  maxRelativeError,
  noGrad,
  randn,
} from '@asma/autodiff';
import { StGcn } from '@asma/trainer';
import { Rng } from '@asma/util';
import { expect, it, vi } from 'vitest';

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
  // Count the calls that tell the paths apart: a folded conv + norm is one convolution with weights
  // other than the conv's own (Conv2d.forward passes its own), and no norm.
  const convs = vi.spyOn(Conv2d.prototype, 'forwardWith');
  const norms = vi.spyOn(BatchNorm2d.prototype, 'forward');
  const folds = () =>
    convs.mock.calls.filter((args, i) => args[1] !== (convs.mock.contexts[i] as Conv2d).weight).length;
  try {
    const unfolded = model.forward(x); // grad on: BatchNorms run as ops
    expect(unfolded.requiresGrad).toBe(true);
    expect(convs.mock.calls.length).toBeGreaterThan(0);
    expect(folds()).toBe(0);
    const unfoldedNorms = norms.mock.calls.length;
    convs.mockClear();
    norms.mockClear();
    const folded = noGrad(() => model.forward(x));
    // Each block's temporal conv + norm, and the two 1x1 residual convs + norms (the stride-2 blocks).
    expect(folds()).toBe(model.blocks.length + 2);
    expect(norms.mock.calls.length).toBe(unfoldedNorms - (model.blocks.length + 2));
    expect(maxRelativeError(folded.data, unfolded.data)).toBeLessThan(1e-5);
  } finally {
    convs.mockRestore();
    norms.mockRestore();
  }
});
