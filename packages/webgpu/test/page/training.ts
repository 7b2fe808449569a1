/**
 * Whole training steps on the WebGPU backend against the CPU backend: 3 Adam steps of a small ST-GCN
 * classifier (cross-entropy) and of the ASMa pretraining loss (two masked views, dropout on), with the
 * readbacks counted per step.
 */
import { Adam, crossEntropy, Linear, type Module, Tensor } from '@asma/autodiff';
import { cpuBackend, setBackend } from '@asma/kernels';
import { generateSynthetic } from '@asma/skeleton';
import { batchTensor, createMethod, gatherClips, type MethodOptions, StGcn } from '@asma/trainer';
import { Rng } from '@asma/util';
import type { WebGpuBackend } from '@asma/webgpu';

const synthetic = generateSynthetic({ seed: 0, samplesPerClass: 4, classes: 4, frames: 20 });
const data = {
  clips: { data: synthetic.data, shape: synthetic.shape },
  labels: synthetic.labels,
  source: 'synthetic' as const,
};

const method: MethodOptions = {
  encoder: {
    blocks: [
      { in: 3, out: 8, stride: 1, residual: false },
      { in: 8, out: 8, stride: 1, residual: true },
      { in: 8, out: 16, stride: 2, residual: true },
    ],
    dropout: 0.3,
  },
  projectorWidth: 16,
  masking: { motionDrops: 3, randomDrops: 3 },
};

async function stateValues(module: Module): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, t] of module.stateDict())
    if (t instanceof Tensor) out.set(name, Float32Array.from(await t.read()));
  return out;
}

/** The worst over tensors of ||gpu - cpu|| / ||cpu||. */
function worstRelative(
  cpu: Map<string, Float32Array>,
  gpu: Map<string, Float32Array>,
): { err: number; name: string } {
  let worst = { err: 0, name: '' };
  for (const [name, a] of cpu) {
    const b = gpu.get(name);
    if (!b || b.length !== a.length) return { err: Number.POSITIVE_INFINITY, name };
    let d = 0;
    let n = 0;
    for (let i = 0; i < a.length; i++) {
      d += (a[i]! - b[i]!) ** 2;
      n += a[i]! ** 2;
    }
    const err = n === 0 ? Math.sqrt(d) : Math.sqrt(d / n);
    if (!(err <= worst.err)) worst = { err, name };
  }
  return worst;
}

export interface TrainingReport {
  name: string;
  losses: { cpu: number[]; gpu: number[] };
  lossErr: number;
  paramErr: number;
  worstParam: string;
  /** Readbacks during the steps, not counting the loss reads. */
  readbacksInSteps: number[];
  seconds: number;
}

async function classifier(gpu: WebGpuBackend | null) {
  const labels = [0, 1, 2, 3, 0, 1];
  const rng = new Rng(5);
  const encoder = new StGcn({ ...method.encoder, rng });
  const head = new Linear(encoder.outChannels, 4, { rng });
  const opt = new Adam([...encoder.parameters(), ...head.parameters()], { lr: 1e-2 });
  const x = batchTensor(gatherClips(data, [0, 5, 9, 13, 2, 6]).batch);
  const losses: number[] = [];
  const readbacks: number[] = [];
  for (let step = 0; step < 3; step++) {
    const before = gpu?.readbacks ?? 0;
    opt.zeroGrad();
    const loss = crossEntropy(head.forward(encoder.forward(x)), labels);
    loss.backward();
    opt.step();
    readbacks.push((gpu?.readbacks ?? 0) - before);
    losses.push(await loss.readItem());
  }
  return { losses, values: await stateValues(encoder), readbacks };
}

async function pretraining(gpu: WebGpuBackend | null) {
  const m = createMethod('asma', new Rng(1), method);
  const opt = new Adam(m.module.parameters(), { lr: 1e-2 });
  const rng = new Rng(2);
  const losses: number[] = [];
  const readbacks: number[] = [];
  for (let step = 0; step < 3; step++) {
    const before = gpu?.readbacks ?? 0;
    opt.zeroGrad();
    const { loss } = m.loss(gatherClips(data, [0, 3, 5, 7, 9, 12]).batch, rng);
    loss.backward();
    opt.step();
    readbacks.push((gpu?.readbacks ?? 0) - before);
    losses.push(await loss.readItem());
  }
  return { losses, values: await stateValues(m.module), readbacks };
}

export const TRAINING_RUNS = {
  classifier: ['ST-GCN classifier (cross-entropy)', classifier],
  pretraining: ['ASMa pretraining loss', pretraining],
} as const;

/** CPU then WebGPU, 3 Adam steps each, of the named runs (default: all). */
export async function runTraining(
  gpu: WebGpuBackend,
  only: readonly (keyof typeof TRAINING_RUNS)[] = ['classifier', 'pretraining'],
): Promise<TrainingReport[]> {
  const reports: TrainingReport[] = [];
  for (const [name, run] of only.map((k) => TRAINING_RUNS[k])) {
    const t = performance.now();
    setBackend(cpuBackend);
    const cpu = await run(null);
    setBackend(gpu);
    let dev: Awaited<ReturnType<typeof run>>;
    try {
      dev = await run(gpu);
    } finally {
      setBackend(cpuBackend);
    }
    const lossErr = Math.max(
      ...cpu.losses.map((l, i) => Math.abs(dev.losses[i]! - l) / Math.max(Math.abs(l), 1e-30)),
    );
    const worst = worstRelative(cpu.values, dev.values);
    reports.push({
      name,
      losses: { cpu: cpu.losses, gpu: dev.losses },
      lossErr,
      paramErr: worst.err,
      worstParam: worst.name,
      readbacksInSteps: dev.readbacks,
      seconds: (performance.now() - t) / 1000,
    });
  }
  return reports;
}
