// The README's nn/optim example, run as a test so the documentation cannot rot.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Adam,
  crossEntropy,
  Linear,
  LrScheduler,
  noGrad,
  ReLU,
  randn,
  Sequential,
  warmupCosineLr,
} from '@asma/autodiff';
import { loadStateDict, saveStateDict } from '@asma/autodiff/node';
import { Rng } from '@asma/util';
import { expect, it } from 'vitest';

it('README example: a tiny MLP trained with Adam', () => {
  const log: string[] = [];
  const console = { log: (...a: unknown[]) => log.push(a.join(' ')) };
  // --- README example start
  const rng = new Rng(0);
  // Two Gaussian blobs in 2-D, labels 0 / 1.
  const x = randn([64, 2], rng);
  const labels = new Int32Array(64);
  for (let i = 0; i < 64; i++) {
    labels[i] = i % 2;
    x.data[2 * i] += labels[i] === 1 ? 2 : -2;
  }

  const model = new Sequential(new Linear(2, 16, { rng }), new ReLU(), new Linear(16, 2, { rng }));
  const opt = new Adam(model.parameters(), { lr: 0.05, weightDecay: 1e-4 });
  const sched = new LrScheduler(opt, warmupCosineLr({ base: 0.05, warmup: 5, total: 60 }));
  for (let epoch = 0; epoch < 60; epoch++) {
    opt.zeroGrad();
    const loss = crossEntropy(model.forward(x), labels);
    loss.backward();
    opt.step();
    sched.step();
    if (epoch % 20 === 0) console.log(`epoch ${epoch} loss ${loss.item().toFixed(4)}`);
  }
  model.eval();
  const logits = noGrad(() => model.forward(x));
  let correct = 0;
  for (let i = 0; i < 64; i++)
    correct += Number(logits.data[2 * i + 1]! > logits.data[2 * i]! === (labels[i] === 1));
  console.log(`accuracy ${correct}/64, ${model.numParameters()} parameters`);

  const path = join(mkdtempSync(join(tmpdir(), 'mlp-')), 'mlp.safetensors');
  saveStateDict(model, path, { epochs: '60' }); // PyTorch names: 0.weight, 0.bias, 2.weight, 2.bias
  const copy = new Sequential(new Linear(2, 16, { rng }), new ReLU(), new Linear(16, 2, { rng }));
  copy.loadStateDict(loadStateDict(path));
  // --- README example end
  expect(correct).toBeGreaterThanOrEqual(60);
  expect(copy.eval().forward(x).data).toEqual(logits.data);
  expect(log.length).toBe(4);
  globalThis.console.log(log.join('\n'));
});
