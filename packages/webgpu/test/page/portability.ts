/**
 * A run paused on one backend resumes on the other: `fit` (the product's loop) trains a small
 * classifier for 2 epochs on WebGPU (or the CPU), its state is brought to host bytes as a checkpoint
 * does (parameters and buffers read back, Adam's moments through readStateDict, the data generator's
 * state), and a fresh model and optimiser on the other backend load it and train 2 more epochs. The
 * result is compared with 4 uninterrupted epochs on the CPU. The file layer (safetensors, checksum)
 * is Node's and tested there (trainer/test/device-fit.test.ts); this checks the device half.
 */
import {
  Adam,
  BatchNorm1d,
  constantLr,
  crossEntropy,
  Linear,
  type Module,
  type OptimizerStateDict,
  ReLU,
  Sequential,
  Tensor,
} from '@asma/autodiff';
import { cpuBackend, type KernelBackend, setBackend } from '@asma/kernels';
import { fit } from '@asma/trainer';
import { Rng } from '@asma/util';

const N = 32;
const D = 6;
const CLASSES = 3;

/** Seeded features with a class signal, and their labels. */
function data(): { x: Float32Array; y: number[] } {
  const rng = new Rng(11);
  const y = Array.from({ length: N }, (_, i) => i % CLASSES);
  const x = Float32Array.from(
    { length: N * D },
    (_, k) => rng.normal() + (k % D === y[Math.floor(k / D)] ? 2 : 0),
  );
  return { x, y };
}

/** No bias before the batch norm: its gradient would be rounding noise that Adam blows up. */
function model(): Module & { forward(x: Tensor): Tensor } {
  const rng = new Rng(3);
  return new Sequential(
    new Linear(D, 16, { rng, bias: false }),
    new BatchNorm1d(16),
    new ReLU(),
    new Linear(16, CLASSES, { rng }),
  );
}

interface Run {
  module: ReturnType<typeof model>;
  optimizer: Adam;
  rng: Rng;
  losses: number[];
}

function fresh(): Run {
  const module = model();
  return { module, optimizer: new Adam(module.parameters(), { lr: 0.05 }), rng: new Rng(7), losses: [] };
}

async function train(r: Run, epochs: number): Promise<void> {
  const { x, y } = data();
  const { history } = await fit({
    module: r.module,
    optimizer: r.optimizer,
    schedule: constantLr(0.05),
    epochs,
    count: N,
    batchSize: 8,
    rng: r.rng,
    progress: false,
    readEvery: 2,
    step: (idx) => {
      const rows = new Float32Array(idx.length * D);
      for (const [k, i] of idx.entries()) rows.set(x.subarray(i * D, (i + 1) * D), k * D);
      return {
        loss: crossEntropy(
          r.module.forward(new Tensor(rows, [idx.length, D])),
          idx.map((i) => y[i]!),
        ),
      };
    },
  });
  r.losses.push(...history.map((h) => h.loss));
}

interface Snapshot {
  state: Map<string, Tensor>;
  optimizer: OptimizerStateDict;
  rng: number[];
}

/** What a checkpoint holds, as host arrays (awaited reads from the device). */
async function snapshot(r: Run): Promise<Snapshot> {
  const state = new Map<string, Tensor>();
  for (const [k, t] of r.module.stateDict())
    if (t instanceof Tensor) state.set(k, new Tensor(Float32Array.from(await t.read()), t.shape));
  return { state, optimizer: await r.optimizer.readStateDict(), rng: r.rng.getState() };
}

function restore(s: Snapshot): Run {
  const r = fresh();
  r.module.loadStateDict(s.state, { strict: false }); // num_batches_tracked: integer, not compared
  r.optimizer.loadStateDict(s.optimizer);
  r.rng.setState(s.rng);
  return r;
}

async function values(r: Run): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [k, t] of r.module.stateDict())
    if (t instanceof Tensor) out.set(k, Float32Array.from(await t.read()));
  return out;
}

/** Worst over tensors of ||a - b|| / ||a||. */
function worst(a: Map<string, Float32Array>, b: Map<string, Float32Array>): { err: number; name: string } {
  let w = { err: 0, name: '' };
  for (const [name, va] of a) {
    const vb = b.get(name)!;
    let d = 0;
    let n = 0;
    for (let i = 0; i < va.length; i++) {
      d += (va[i]! - vb[i]!) ** 2;
      n += va[i]! ** 2;
    }
    const err = Math.sqrt(n === 0 ? d : d / n);
    if (!(err <= w.err)) w = { err, name };
  }
  return w;
}

export interface PortabilityReport {
  direction: string;
  losses: number[];
  cpuLosses: number[];
  lossErr: number;
  paramErr: number;
  worstParam: string;
  seconds: number;
}

export async function runPortability(gpu: KernelBackend<unknown>): Promise<PortabilityReport[]> {
  setBackend(cpuBackend);
  const reference = fresh();
  await train(reference, 4);
  const want = await values(reference);
  const reports: PortabilityReport[] = [];
  for (const [direction, first, second] of [
    ['webgpu -> cpu', gpu, cpuBackend],
    ['cpu -> webgpu', cpuBackend, gpu],
  ] as const) {
    const t0 = performance.now();
    try {
      setBackend(first);
      const a = fresh();
      await train(a, 2);
      const saved = await snapshot(a);
      setBackend(second);
      const b = restore(saved);
      b.losses.push(...a.losses);
      await train(b, 2);
      const got = await values(b);
      const w = worst(want, got);
      reports.push({
        direction,
        losses: b.losses,
        cpuLosses: reference.losses,
        lossErr: Math.max(...reference.losses.map((l, i) => Math.abs(b.losses[i]! - l) / Math.abs(l))),
        paramErr: w.err,
        worstParam: w.name,
        seconds: (performance.now() - t0) / 1000,
      });
    } finally {
      setBackend(cpuBackend);
    }
  }
  return reports;
}
