/**
 * ST-GCN's forward is a `scratch` scope: its activations, dropout masks and gradients are recycled into
 * the next step. Training and inference must give the same bits with recycling on and off, on one
 * thread and on the threaded backend (whose buffers are shared memory).
 */
import {
  Adam,
  bufferPoolStats,
  crossEntropy,
  Linear,
  noGrad,
  randn,
  setBufferRecycling,
} from '@asma/autodiff';
import { cpuBackend, KernelThreads, setBackend, threadedCpuBackend } from '@asma/kernels';
import { StGcn } from '@asma/trainer';
import { Rng } from '@asma/util';
import { afterAll, beforeAll, expect, it } from 'vitest';

let pool: KernelThreads;
beforeAll(async () => {
  pool = await KernelThreads.start(2);
});
afterAll(async () => {
  setBackend(cpuBackend);
  await pool.close();
});

/** Losses, eval outputs and parameters over three Adam steps (dropout on), each followed by inference. */
function run(recycling: boolean): Float32Array[] {
  const prev = setBufferRecycling(recycling);
  try {
    const rng = new Rng(11);
    // (4 * 2) samples x 8 channels x 20 frames x 25 joints = 32,000 elements: activations are poolable.
    const model = new StGcn({ rng, baseChannels: 8, outChannels: 16 });
    const head = new Linear(16, 4, { rng });
    const params = [...model.parameters(), ...head.parameters()];
    const opt = new Adam(params, { lr: 1e-2 });
    const x = randn([4, 3, 20, 25, 2], rng);
    const out: Float32Array[] = [];
    for (let s = 0; s < 3; s++) {
      model.train();
      const loss = crossEntropy(head.forward(model.forward(x)), [0, 1, 2, 3]);
      out.push(Float32Array.from(loss.data));
      opt.zeroGrad();
      loss.backward();
      opt.step();
      model.eval();
      out.push(Float32Array.from(noGrad(() => model.forward(x)).data));
    }
    expect(bufferPoolStats().bytes > 0).toBe(recycling); // the activations did come back
    return [...out, ...params.map((p) => Float32Array.from(p.data))];
  } finally {
    setBufferRecycling(prev);
  }
}

it('trains and infers bit-identically with buffer recycling on and off', () => {
  setBackend(cpuBackend);
  const off = run(false);
  const on = run(true);
  setBackend(threadedCpuBackend(pool, { minMacs: 0, minElements: 0 }));
  const threaded = run(true);
  off.forEach((a, i) => {
    expect(Buffer.from(on[i]!.buffer).equals(Buffer.from(a.buffer)), `array ${i}, one thread`).toBe(true);
    expect(Buffer.from(threaded[i]!.buffer).equals(Buffer.from(a.buffer)), `array ${i}, threads`).toBe(true);
  });
});
