/**
 * The training loops on a device backend (the boxed backend: opaque storage, counted readbacks, the
 * CPU's kernels): pretraining, fine-tuning with validation and the linear probe give the CPU's
 * numbers exactly, with readbacks only where fit reads its losses and checks the weights (every
 * `readEvery` steps and at each epoch's end); the NaN guard still stops a diverging run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Adam, constantLr, Linear, type Module, mean, mul, Tensor, tensor } from '@asma/autodiff';
import { type BoxedBackend, boxedBackend, cpuBackend, setBackend } from '@asma/kernels';
import { Rng } from '@asma/util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { clipCount } from '../src/data/dataset.js';
import { trainLinearProbe } from '../src/eval/linear-probe.js';
import { StGcn } from '../src/model/stgcn.js';
import { pretrain } from '../src/pretrain/pretrain.js';
import { finetune } from '../src/protocols/finetune.js';
import { NonFiniteError } from '../src/train/errors.js';
import { fit } from '../src/train/fit.js';
import { tinyDataset, tinyMethod } from './pretrain-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'asma-device-fit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  setBackend(cpuBackend);
});

const data = tinyDataset();

/** Runs fn on the CPU, then on a fresh boxed backend; returns both results and the boxed one's readbacks. */
async function onBoth<T>(fn: () => Promise<T>): Promise<{ cpu: T; dev: T; boxed: BoxedBackend }> {
  const cpu = await fn();
  const boxed = boxedBackend(cpuBackend);
  setBackend(boxed);
  try {
    return { cpu, dev: await fn(), boxed };
  } finally {
    setBackend(cpuBackend);
  }
}

/** Every float tensor of the module's state as bits (the module is on the host after training). */
function bits(m: Module): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [k, t] of m.stateDict())
    if (t instanceof Tensor) out.set(k, Array.from(new Uint32Array(Float32Array.from(t.data).buffer)));
  return out;
}

/** 32 clips: PSTL in batches of 4 runs 8 steps per epoch. */
const big = tinyDataset({ perClass: 8 });
const pstlOnBig = (o: { epochs: number; readEvery?: number }) =>
  pretrain({ method: 'pstl', data: big, batchSize: 4, methodOptions: tinyMethod, progress: false, ...o });

/** Makes a boxed backend that counts its flushes the active one; returns the count so far. */
function boxedCountingFlushes(): () => number {
  let flushes = 0;
  setBackend({ ...boxedBackend(cpuBackend), flush: () => flushes++ });
  return () => flushes;
}

/** Parameters and float buffers: what the device NaN guard checks (one flag each). */
function guarded(m: Module): number {
  return m.parameters().length + m.namedBuffers().filter(([, b]) => b instanceof Tensor).length;
}

describe('the training loops on a device backend (boxed CPU kernels)', () => {
  it('ASMa pretraining: the CPU losses, parts and weights; reads once per epoch and once at the end', async () => {
    const run = () =>
      pretrain({ method: 'asma', data, epochs: 2, batchSize: 8, methodOptions: tinyMethod, progress: false });
    const { cpu, dev, boxed } = await onBoth(run);
    expect(dev.history.map((h) => [h.loss, h.parts])).toEqual(cpu.history.map((h) => [h.loss, h.parts]));
    expect(bits(dev.method.module)).toEqual(bits(cpu.method.module));
    // Per epoch (2 steps, fewer than readEvery): the stacked losses, one stack per loss term, one flag
    // per guarded tensor; then the trained weights come home, one read each.
    const parts = Object.keys(cpu.history[0]!.parts).length;
    const n = guarded(dev.method.module);
    expect(parts).toBe(7); // a/b x spatial/temporal, on- and off-diagonal, redundancy
    expect(boxed.readbacks).toBe(2 * (1 + parts + n) + n);
  });

  it('reads every readEvery steps: more reads, the same numbers', async () => {
    // 8 steps per epoch, read after steps 3, 6 and at the epoch's end (8).
    expect(clipCount(big)).toBe(32);
    const { cpu, dev, boxed } = await onBoth(() => pstlOnBig({ epochs: 1, readEvery: 3 }));
    expect(dev.history[0]!.loss).toBe(cpu.history[0]!.loss);
    expect(dev.history[0]!.parts).toEqual(cpu.history[0]!.parts);
    expect(bits(dev.method.module)).toEqual(bits(cpu.method.module));
    const parts = Object.keys(cpu.history[0]!.parts).length;
    const n = guarded(dev.method.module);
    expect(boxed.readbacks).toBe(3 * (1 + parts + n) + n);
  });

  it('submits every step as soon as it is recorded, and logs how long the host waited for the device', async () => {
    const flushes = boxedCountingFlushes();
    const run = await pstlOnBig({ epochs: 2, readEvery: 3 });
    setBackend(cpuBackend);
    expect(flushes()).toBe(2 * 8); // one per step: the device runs it while the next batch is drawn
    for (const h of run.history) expect(h.deviceWait).toBeGreaterThanOrEqual(0);
    const onCpu = await pstlOnBig({ epochs: 1 });
    expect(onCpu.history[0]!.deviceWait).toBeUndefined();
  });

  it("awaits a window's reads only after the next window is recorded, so the device's queue never drains", async () => {
    const flushes = boxedCountingFlushes();
    const rng = new Rng(1);
    const layer = new Linear(3, 1, { rng });
    const x = tensor([[1, 2, 3]]);
    // The step whose values were used, and how many steps had been submitted by then.
    const used: [number, number][] = [];
    await fit({
      module: layer,
      optimizer: new Adam(layer.parameters(), { lr: 1e-2 }),
      schedule: constantLr(1e-2),
      epochs: 1,
      count: 9,
      batchSize: 1,
      rng,
      readEvery: 3,
      progress: false,
      step: ([i]) => {
        const loss = mean(mul(layer.forward(x), layer.forward(x)));
        return { loss, observe: { tensor: loss, use: () => used.push([i!, flushes()]) } };
      },
    });
    setBackend(cpuBackend);
    // Steps 0-2 (window 1) are used once window 2 (steps 3-5) is submitted, window 2 after window 3;
    // the epoch's end waits for the last window.
    expect(used.map(([, f]) => f)).toEqual([6, 6, 6, 9, 9, 9, 9, 9, 9]);
  });

  it('fine-tuning with validation: the CPU history (loss, val accuracy) and weights', async () => {
    const val = tinyDataset({ seed: 9, perClass: 2 });
    const run = () =>
      finetune({
        encoder: new StGcn({ ...tinyMethod.encoder, rng: new Rng(4) }),
        train: data,
        val,
        epochs: 2,
        batchSize: 8,
        progress: false,
      });
    const { cpu, dev } = await onBoth(run);
    expect(dev.history.map((h) => [h.loss, h.metrics])).toEqual(cpu.history.map((h) => [h.loss, h.metrics]));
    expect(dev.valAccuracy).toBe(cpu.valAccuracy);
    expect(bits(dev.model)).toEqual(bits(cpu.model));
  });

  it('the linear probe: the CPU training accuracy per epoch (logits read with the loss)', async () => {
    const rng = new Rng(3);
    const features = Float32Array.from({ length: 40 * 6 }, () => rng.normal());
    const labels = Int32Array.from({ length: 40 }, (_, i) => i % 3);
    const run = () =>
      trainLinearProbe({ features, labels, dim: 6, classes: 3, epochs: 3, batchSize: 16, progress: false });
    const { cpu, dev } = await onBoth(run);
    expect(dev.history).toEqual(cpu.history);
    expect(dev.trainAcc).toBe(cpu.trainAcc);
  });

  it('stops a diverging run with NonFiniteError naming the step and tensor', async () => {
    setBackend(boxedBackend(cpuBackend));
    const err = await pretrain({
      method: 'pstl',
      data,
      epochs: 2,
      batchSize: 8,
      lr: 1e30,
      warmupEpochs: 0,
      methodOptions: tinyMethod,
      progress: false,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteError);
    expect((err as Error).message).toMatch(/^epoch 0, step 1: (loss is NaN|parameter \S+ holds NaN or Inf)/);
  });

  it('a checkpoint written on the device resumes on the CPU, and the other way round, to the same bits', async () => {
    const base = {
      method: 'asma',
      data,
      epochs: 3,
      batchSize: 8,
      methodOptions: tinyMethod,
      progress: false,
    };
    const full = await pretrain({ ...base, seed: 5 });
    const killAfter1 = (r: { epoch: number }) => {
      if (r.epoch === 1) throw new Error('killed');
    };
    for (const [first, second] of [
      ['device', 'cpu'],
      ['cpu', 'device'],
    ] as const) {
      const out = join(dir, `${first}-then-${second}`);
      const use = (where: 'cpu' | 'device') =>
        setBackend(where === 'cpu' ? cpuBackend : boxedBackend(cpuBackend));
      use(first);
      await expect(pretrain({ ...base, seed: 5, outDir: out, onEpoch: killAfter1 })).rejects.toThrow(
        'killed',
      );
      use(second);
      const resumed = await pretrain({ ...base, seed: 5, outDir: out, resume: true });
      setBackend(cpuBackend);
      expect(resumed.startEpoch).toBe(2);
      expect(resumed.history.map((h) => h.loss)).toEqual(full.history.map((h) => h.loss));
      expect(bits(resumed.method.module)).toEqual(bits(full.method.module));
    }
  });
});
