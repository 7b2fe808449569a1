import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@asma/util';
import { afterAll, describe, expect, it } from 'vitest';
import type { IntTensor } from '../src/io/int-tensor.js';
import { BatchNorm1d, Linear, ReLU, Sequential } from '../src/nn/index.js';
import { readSafetensors } from '../src/node/safetensors.js';
import {
  loadOptimizerState,
  loadStateDict,
  saveOptimizerState,
  saveStateDict,
} from '../src/node/state-dict.js';
import { crossEntropy } from '../src/ops/loss.js';
import { Adam, SGD } from '../src/optim/index.js';
import { randn } from '../src/tensor.js';

const dir = mkdtempSync(join(tmpdir(), 'asma-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mlp = (seed: number) => {
  const rng = new Rng(seed);
  return new Sequential(new Linear(6, 8, { rng }), new BatchNorm1d(8), new ReLU(), new Linear(8, 3, { rng }));
};

describe('module and optimiser state in safetensors files', () => {
  it('saveStateDict -> loadStateDict restores a module exactly (int64 num_batches_tracked included)', () => {
    const a = mlp(1);
    a.forward(randn([4, 6], new Rng(2)));
    const path = join(dir, 'model.safetensors');
    saveStateDict(a, path, { epoch: '7' });
    const f = readSafetensors(path);
    expect(f.metadata.epoch).toBe('7');
    expect(f.dtypes.get('1.num_batches_tracked')).toBe('I64');
    expect(f.dtypes.get('0.weight')).toBe('F32');
    const b = mlp(9);
    b.loadStateDict(loadStateDict(path));
    for (const [k, t] of a.stateDict()) expect(b.stateDict().get(k)!.data, k).toEqual(t.data);
    expect((b.stateDict().get('1.num_batches_tracked') as IntTensor).item()).toBe(1);
  });

  for (const [name, makeOpt] of [
    ['Adam', (ps: ReturnType<typeof mlp>) => new Adam(ps.parameters(), { lr: 0.01, weightDecay: 1e-4 })],
    [
      'SGD',
      (ps: ReturnType<typeof mlp>) => new SGD(ps.parameters(), { lr: 0.05, momentum: 0.9, nesterov: true }),
    ],
  ] as const) {
    it(`${name}: training resumed from files is bit-identical to an uninterrupted run`, () => {
      const data = Array.from({ length: 4 }, (_, i) => randn([5, 6], new Rng(100 + i)));
      const labels = Int32Array.from([0, 1, 2, 1, 0]);
      const train = (model: ReturnType<typeof mlp>, opt: Adam | SGD, steps: number[]) => {
        for (const s of steps) {
          opt.zeroGrad();
          crossEntropy(model.forward(data[s]!), labels).backward();
          opt.step();
        }
      };
      const straight = mlp(1);
      const optA = makeOpt(straight);
      train(straight, optA, [0, 1, 2, 3]);

      const first = mlp(1);
      const optB = makeOpt(first);
      train(first, optB, [0, 1]);
      saveStateDict(first, join(dir, `${name}-model.safetensors`));
      saveOptimizerState(optB.stateDict(), join(dir, `${name}-optim.safetensors`));

      const resumed = mlp(42);
      resumed.loadStateDict(loadStateDict(join(dir, `${name}-model.safetensors`)));
      const optC = makeOpt(resumed);
      optC.loadStateDict(loadOptimizerState(join(dir, `${name}-optim.safetensors`)));
      train(resumed, optC, [2, 3]);
      for (const [k, t] of straight.stateDict()) expect(resumed.stateDict().get(k)!.data, k).toEqual(t.data);
    });
  }

  it('an optimiser file with foreign tensors is rejected with the file and tensor named', () => {
    const path = join(dir, 'model2.safetensors');
    saveStateDict(mlp(1), path);
    expect(() => loadOptimizerState(path)).toThrow(
      /model2\.safetensors: metadata lacks optimizer\.param_groups/,
    );
  });
});
