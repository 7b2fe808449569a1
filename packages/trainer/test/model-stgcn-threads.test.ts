/** A whole ST-GCN training step gives the same bits on one kernel thread and on several. */
import { Adam, crossEntropy, Linear, randn } from '@asma/autodiff';
import { cpuBackend, KernelThreads, setBackend, threadedCpuBackend } from '@asma/kernels';
import { StGcn } from '@asma/trainer';
import { Rng } from '@asma/util';
import { afterAll, beforeAll, expect, it } from 'vitest';

let pool: KernelThreads;
beforeAll(async () => {
  pool = await KernelThreads.start(3);
});
afterAll(async () => {
  setBackend(cpuBackend);
  await pool.close();
});

/** Loss and every parameter after two Adam steps of a small ST-GCN (dropout on) on the given backend. */
function twoSteps(backend: typeof cpuBackend): { losses: number[]; params: Float32Array[] } {
  setBackend(backend);
  const rng = new Rng(7);
  const model = new StGcn({ rng, baseChannels: 4, outChannels: 16 });
  const head = new Linear(16, 5, { rng });
  const params = [...model.parameters(), ...head.parameters()];
  const opt = new Adam(params, { lr: 1e-2 });
  const x = randn([5, 3, 12, 25, 2], rng);
  const labels = [0, 1, 2, 3, 4];
  const losses: number[] = [];
  for (let s = 0; s < 2; s++) {
    model.train();
    const loss = crossEntropy(head.forward(model.forward(x)), labels);
    losses.push(loss.item());
    opt.zeroGrad();
    loss.backward();
    opt.step();
  }
  return { losses, params: params.map((p) => Float32Array.from(p.data)) };
}

it('training steps are bit-identical with 1 and 3 kernel threads (every kernel call split)', () => {
  const one = twoSteps(cpuBackend);
  const three = twoSteps(threadedCpuBackend(pool, { minMacs: 0 }));
  expect(three.losses).toEqual(one.losses);
  for (const [i, p] of one.params.entries())
    expect(Buffer.from(three.params[i]!.buffer).equals(Buffer.from(p.buffer)), `param ${i}`).toBe(true);
});
