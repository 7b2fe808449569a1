/** Issue 21 defect 1: a run never ends with NaN or Inf weights, and no model with them is written or read. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchNorm1d,
  constantLr,
  encodeSafetensors,
  Linear,
  Module,
  mean,
  NonFiniteTensorError,
  SGD,
  Tensor,
} from '@asma/autodiff';
import { saveStateDict } from '@asma/autodiff/node';
import { Rng } from '@asma/util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../src/node/checkpoint.js';
import { NonFiniteError } from '../src/train/errors.js';
import { fit } from '../src/train/fit.js';

const dir = mkdtempSync(join(tmpdir(), 'asma-nonfinite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

class LinearBn extends Module {
  readonly fc: Linear;
  readonly bn: BatchNorm1d;
  constructor(rng: Rng) {
    super();
    this.fc = this.registerModule('fc', new Linear(3, 2, { rng }));
    this.bn = this.registerModule('bn', new BatchNorm1d(2));
  }
  forward(x: Tensor): Tensor {
    return this.bn.forward(this.fc.forward(x));
  }
}

async function run(o: { lr: number; scale: number; checkpoint?: string }) {
  const rng = new Rng(0);
  const module = new LinearBn(rng);
  // Inputs of 1e30: finite, but their batch variance (1e60) overflows float32 in the running statistics.
  const x = new Tensor(
    new Float32Array(4 * 3).map((_, i) => o.scale * Math.sin(i + 1)),
    [4, 3],
  );
  return await fit({
    module,
    optimizer: new SGD(module.parameters(), { lr: o.lr }),
    schedule: constantLr(o.lr),
    epochs: 2,
    count: 4,
    batchSize: 4,
    rng,
    progress: false,
    checkpoint: o.checkpoint ?? null,
    step: () => ({ loss: mean(module.forward(x)) }),
  });
}

describe('fit stops on a non-finite parameter or buffer', () => {
  it('names a BatchNorm running statistic that overflowed, though the loss and gradients are finite', async () => {
    await expect(run({ lr: 0.01, scale: 1e30 })).rejects.toThrow(
      /^epoch 0, step 0: buffer bn\.running_var holds Infinity at element \d; stopping \(no checkpoint written yet\)$/,
    );
  });

  it('names a parameter the optimiser step made infinite', async () => {
    await expect(run({ lr: 1e39, scale: 1 })).rejects.toThrow(
      /^epoch 0, step 0: parameter (fc|bn)\.(weight|bias) holds -?Infinity at element \d after the optimiser step/,
    );
  });

  it('says which checkpoint is intact only when one was written', async () => {
    // A run of epoch 0 that writes its checkpoint, then a NaN in epoch 1: the checkpoint is named.
    const checkpoint = join(dir, 'ck', 'checkpoint.safetensors');
    const rng = new Rng(0);
    const module = new LinearBn(rng);
    const x = new Tensor(
      new Float32Array(12).map((_, i) => Math.sin(i + 1)),
      [4, 3],
    );
    let step = 0;
    const go = () =>
      fit({
        module,
        optimizer: new SGD(module.parameters(), { lr: 0.01 }),
        schedule: constantLr(0.01),
        epochs: 2,
        count: 4,
        batchSize: 4,
        rng,
        progress: false,
        checkpoint,
        step: () => ({ loss: step++ === 1 ? mean(module.forward(x.mul(1e30))) : mean(module.forward(x)) }),
      });
    let error: unknown = null;
    try {
      await go();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(NonFiniteError);
    expect((error as Error).message).toMatch(/^epoch 1, step 1: buffer bn\.running_var holds Infinity/);
    expect((error as Error).message).toContain(`(the last checkpoint, ${checkpoint}, is intact)`);
  });

  it('runs a normal model to the end', async () => {
    expect((await run({ lr: 0.01, scale: 1 })).history).toHaveLength(2);
  });
});

describe('models holding NaN or Inf are neither written nor loaded', () => {
  it('saveStateDict refuses, naming the file and the tensor', () => {
    const m = new LinearBn(new Rng(1));
    m.bn.runningVar!.data[1] = Number.POSITIVE_INFINITY;
    const path = join(dir, 'bad.safetensors');
    expect(() => saveStateDict(m, path)).toThrow(NonFiniteTensorError);
    expect(() => saveStateDict(m, path)).toThrow(
      `${path}: tensor "bn.running_var" holds Infinity at element 1; refusing a model with non-finite values`,
    );
  });

  it('loadCheckpoint refuses a file with a NaN weight and leaves the model unchanged', () => {
    const src = new LinearBn(new Rng(1));
    const sd = src.stateDict();
    (sd.get('fc.weight') as Tensor).data[4] = Number.NaN;
    const path = join(dir, 'nan.safetensors');
    writeFileSync(path, encodeSafetensors(sd));
    const target = new LinearBn(new Rng(2));
    const before = Float32Array.from(target.fc.weight.data);
    expect(() => loadCheckpoint(target, path)).toThrow(`${path}: tensor "fc.weight" holds NaN at element 4`);
    expect(target.fc.weight.data).toEqual(before);
  });
});
