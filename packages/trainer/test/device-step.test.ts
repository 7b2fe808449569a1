/**
 * A whole training step runs through the kernel table: on the boxed backend (storage opaque to
 * everything but the kernels, like GPU buffers) an ST-GCN classifier step and the ASMa and PSTL
 * pretraining steps give the CPU backend's bits and read nothing back unless asked.
 */
import { Adam, crossEntropy, Linear, type Module, Tensor } from '@asma/autodiff';
import { boxedBackend, cpuBackend, setBackend } from '@asma/kernels';
import { Rng } from '@asma/util';
import { afterEach, describe, expect, it } from 'vitest';
import { gatherClips } from '../src/data/dataset.js';
import { StGcn } from '../src/model/stgcn.js';
import { createMethod, type MethodOptions } from '../src/pretrain/methods.js';
import { batchTensor } from '../src/pretrain/tensor.js';
import { tinyDataset, tinyMethod } from './pretrain-helpers.js';

afterEach(() => {
  setBackend(cpuBackend);
});

const data = tinyDataset();

/** Three blocks: no residual, identity residual, strided conv residual; dropout on. */
const method: MethodOptions = {
  ...tinyMethod,
  encoder: {
    blocks: [
      { in: 3, out: 8, stride: 1, residual: false },
      { in: 8, out: 8, stride: 1, residual: true },
      { in: 8, out: 16, stride: 2, residual: true },
    ],
    dropout: 0.3,
  },
};

async function stateValues(module: Module): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, t] of module.stateDict()) {
    if (!(t instanceof Tensor)) continue; // integer buffers (num_batches_tracked)
    out.set(name, Float32Array.from(await t.read()));
  }
  return out;
}

function expectSameBits(a: Map<string, Float32Array>, b: Map<string, Float32Array>): void {
  expect([...b.keys()]).toEqual([...a.keys()]);
  for (const [name, va] of a) {
    const vb = b.get(name)!;
    const ia = new Uint32Array(va.buffer, va.byteOffset, va.length);
    const ib = new Uint32Array(vb.buffer, vb.byteOffset, vb.length);
    const first = ia.findIndex((x, i) => x !== ib[i]);
    expect(first, `${name}: first differing element`).toBe(-1);
  }
}

describe('a training step wholly on a device backend (boxed CPU kernels)', () => {
  it.each(['asma', 'pstl'] as const)(
    '%s pretraining: 3 Adam steps with the CPU bits and no readback',
    async (name) => {
      const run = async (device: boolean) => {
        const boxed = boxedBackend(cpuBackend);
        if (device) setBackend(boxed);
        const m = createMethod(name, new Rng(1), method);
        const opt = new Adam(m.module.parameters(), { lr: 1e-2 });
        const rng = new Rng(2);
        const losses: Tensor[] = [];
        for (let step = 0; step < 3; step++) {
          opt.zeroGrad();
          const { loss } = m.loss(gatherClips(data, [0, 3, 5, 7, 9, 12]).batch, rng);
          loss.backward();
          opt.step();
          losses.push(loss.detach());
        }
        const readbacksInSteps = boxed.readbacks;
        const values = await stateValues(m.module);
        const lossValues = await Promise.all(losses.map((l) => l.readItem()));
        return { values, lossValues, readbacksInSteps };
      };
      const cpu = await run(false);
      const dev = await run(true);
      expect(dev.readbacksInSteps).toBe(0);
      expectSameBits(cpu.values, dev.values);
      expect(dev.lossValues).toEqual(cpu.lossValues);
      expect(dev.lossValues.every(Number.isFinite)).toBe(true);
    },
  );

  it('an ST-GCN classifier step (cross-entropy) matches the CPU bits; reading the loss is the one readback', async () => {
    const labels = [0, 1, 2, 3, 0, 1];
    const run = async (device: boolean) => {
      const boxed = boxedBackend(cpuBackend);
      if (device) setBackend(boxed);
      const rng = new Rng(5);
      const encoder = new StGcn({ ...method.encoder, rng });
      const head = new Linear(encoder.outChannels, 4, { rng });
      const opt = new Adam([...encoder.parameters(), ...head.parameters()], { lr: 1e-2 });
      const x = batchTensor(gatherClips(data, [0, 5, 9, 13, 2, 6]).batch);
      const losses: number[] = [];
      for (let step = 0; step < 3; step++) {
        opt.zeroGrad();
        const loss = crossEntropy(head.forward(encoder.forward(x)), labels);
        loss.backward();
        opt.step();
        const before = boxed.readbacks;
        losses.push(await loss.readItem());
        if (device) expect(boxed.readbacks - before).toBe(1);
      }
      const readbacks = boxed.readbacks;
      return { losses, values: await stateValues(encoder), readbacks };
    };
    const cpu = await run(false);
    const dev = await run(true);
    expect(dev.readbacks).toBe(3);
    expect(dev.losses).toEqual(cpu.losses);
    expectSameBits(cpu.values, dev.values);
  });

  it('a device tensor refuses synchronous reads with the way out', () => {
    setBackend(boxedBackend(cpuBackend));
    const rng = new Rng(1);
    const encoder = new StGcn({ ...method.encoder, rng });
    const y = encoder.forward(batchTensor(gatherClips(data, [0, 1]).batch));
    expect(() => y.data).toThrow(/lives on the device: read its values with await t.read\(\)/);
    setBackend(cpuBackend);
    expect(() => y.add(1)).toThrow(/lives on a device but the active backend is 'cpu'/);
  });
});
