/**
 * `asma bench --check`: the active (device) backend against the CPU on the benchmark's own workload.
 * The same seeded model and input train for a few Adam steps on each backend; the losses and the
 * parameters afterwards are compared (norm-wise relative error: Adam's sign-like update makes single
 * near-zero coordinates differ by up to lr when a tiny gradient changes sign, the whole vector does not).
 */
import { Adam, crossEntropy, Linear, noGrad, randn, type Tensor } from '@asma/autodiff';
import { cpuBackend, getBackend, setBackend } from '@asma/kernels';
import { StGcn } from '@asma/trainer';
import { Rng } from '@asma/util';

export interface CheckShape {
  batch: number;
  frames: number;
  persons: number;
  base: number;
  features: number;
  classes: number;
}

export interface CheckResult {
  steps: number;
  lossesDevice: number[];
  lossesCpu: number[];
  /** max over steps of |loss_device - loss_cpu| / |loss_cpu| */
  lossRelErr: number;
  /** max over parameters of ||p_device - p_cpu|| / ||p_cpu|| after the steps */
  paramRelErr: number;
  /** the parameter with that error */
  worstParam: string;
  /** max |logit_device - logit_cpu| / max |logit_cpu| of an eval-mode inference pass after training */
  inferRelErr: number;
}

async function run(shape: CheckShape, steps: number) {
  const rng = new Rng(7);
  const model = new StGcn({ rng, baseChannels: shape.base, outChannels: shape.features });
  const head = new Linear(shape.features, shape.classes, { rng });
  const opt = new Adam([...model.parameters(), ...head.parameters()], { lr: 1e-3 });
  const x = randn([shape.batch, 3, shape.frames, 25, shape.persons], rng);
  const labels = Array.from({ length: shape.batch }, () => rng.int(shape.classes));
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    model.train();
    const loss = crossEntropy(head.forward(model.forward(x)), labels);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    losses.push(await loss.readItem());
  }
  model.eval();
  const logits: Tensor = noGrad(() => head.forward(model.forward(x)));
  const params = new Map<string, Float32Array>();
  for (const [name, p] of [
    ...model.namedParameters(),
    ...head.namedParameters().map(([n, t]) => [`head.${n}`, t] as const),
  ])
    params.set(name, Float32Array.from(await p.read()));
  return { losses, params, logits: Float32Array.from(await logits.read()) };
}

const norm = (a: ArrayLike<number>, b?: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = b === undefined ? a[i]! : a[i]! - b[i]!;
    s += d * d;
  }
  return Math.sqrt(s);
};

const maxAbs = (a: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
};

export async function checkAgainstCpu(shape: CheckShape, steps = 3): Promise<CheckResult> {
  const device = getBackend();
  const dev = await run(shape, steps);
  setBackend(cpuBackend);
  let cpu: Awaited<ReturnType<typeof run>>;
  try {
    cpu = await run(shape, steps);
  } finally {
    setBackend(device);
  }
  let paramRelErr = 0;
  let worstParam = '';
  for (const [name, c] of cpu.params) {
    const e = norm(dev.params.get(name)!, c) / Math.max(norm(c), 1e-30);
    if (e > paramRelErr || worstParam === '') {
      paramRelErr = e;
      worstParam = name;
    }
  }
  let lossRelErr = 0;
  cpu.losses.forEach((l, i) => {
    lossRelErr = Math.max(lossRelErr, Math.abs(dev.losses[i]! - l) / Math.max(Math.abs(l), 1e-30));
  });
  let inferAbs = 0;
  for (let i = 0; i < cpu.logits.length; i++)
    inferAbs = Math.max(inferAbs, Math.abs(dev.logits[i]! - cpu.logits[i]!));
  return {
    steps,
    lossesDevice: dev.losses,
    lossesCpu: cpu.losses,
    lossRelErr,
    paramRelErr,
    worstParam,
    inferRelErr: inferAbs / Math.max(maxAbs(cpu.logits), 1e-30),
  };
}
