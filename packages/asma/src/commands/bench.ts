import { availableParallelism, cpus } from 'node:os';
import {
  Adam,
  crossEntropy,
  Linear,
  type Module,
  noGrad,
  OpProfile,
  type OpTimes,
  profileOps,
  randn,
  type Tensor,
} from '@asma/autodiff';
import {
  type GemmKind,
  getBackend,
  kernelThreadsOf,
  type RuntimeOptions,
  runtimeReport,
  setGemmPath,
} from '@asma/kernels';
import { METHOD_NAMES, StGcn } from '@asma/trainer';
import { Rng } from '@asma/util';
import { choiceOption, intOption, parseOptions } from '../args.js';
import { describeBackend } from '../backend.js';
import type { Command } from '../command.js';
import { checkAgainstCpu } from './bench-check.js';
import { benchPretrain } from './bench-pretrain.js';

const help = `usage: asma bench [--batch 16] [--frames 50] [--persons 2] [--base 16] [--features 256] [--steps N] [--gemm auto|js] [--json] [--profile]

Times ST-GCN (the PSTL plan; --base 16 --features 256 is ST-GCN-16, 821,380 parameters) on random
seeded input (B, 3, T, 25, M) in this process: one warm-up, then N training steps (forward, linear
head, cross-entropy, backward, Adam step) and N eval-mode inference passes (no grad) at --batch, and
N batch-1 passes. Figures are medians over the N repetitions.

options:
  --batch <n>      batch size (default 16)
  --frames <n>     frames T (default 50)
  --persons <n>    persons M (default 2)
  --base <n>       first-stage width (default 16)
  --features <n>   feature width of the last block (default 256)
  --classes <n>    classes of the linear head (default 60)
  --steps <n>      timed repetitions of each workload (default 3)
  --gemm <path>    auto (default: WebAssembly SIMD where available) or js
  --threads <n>    kernel threads, the calling thread included (default: the machine's cores, ${availableParallelism()};
                   every asma command takes it, or ASMA_THREADS)
  --profile        also time one training step and one inference pass per op kind (on a device
                   backend the rows time the dispatches, not the device's work)
  --method <m>     time pretraining instead: asma, pstl, random or barlow-twins (augmentation and
                   masks on the CPU each step, as asma pretrain runs them)
  --projector <n>  the pretraining projector width (default 6144, the paper's)
  --check          also train the same seeded model for 3 Adam steps here and on the CPU backend and
                   report the relative errors of the losses, the parameters and the logits
  --json           print exactly one JSON line instead of the table`;

interface ProfileRow extends OpTimes {
  kind: string;
}

/** Row names of the per-layer profile: the ST-GCN layer an op belongs to. */
function opKind(op: string, inputs: readonly Tensor[], scope: string): string {
  if (scope === 'residual') return op === 'conv2dTemporal' ? 'residual conv 1x1' : `residual ${op}`;
  switch (op) {
    case 'conv2dTemporal':
      return inputs[1]!.shape[2] === 1 ? 'gcn conv 1x1' : 'tcn conv kt x 1';
    case 'graphAggregate':
      return 'graph aggregation';
    case 'addRelu':
      return 'add + relu (residual)';
    case 'add':
      return 'add (head bias)'; // the blocks' residual adds are fused into addRelu
    case 'sum':
    case 'div':
      return `${op} (pooling, loss)`; // mean = sum / n
    default:
      return op;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/**
 * Median milliseconds of `reps` calls of fn. On a device backend each call ends by reading back one
 * value of its result, so the clock stops when the device has finished the work (as PyTorch CUDA's
 * peer synchronises); on the CPU the work is done when fn returns.
 */
async function timeMs(fn: () => Tensor, reps: number): Promise<number> {
  const device = getBackend().deviceStorage === true;
  const ms: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const out = fn();
    if (device) await firstValue(out);
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

/** One value of t, read back (a single element's copy, not the whole tensor). */
async function firstValue(t: Tensor): Promise<number> {
  return (await t.read())[0]!;
}

/** Wrap every residual sub-module so its ops get their own profile rows. */
function scopeResiduals(model: Module, profile: OpProfile): void {
  for (const [name, m] of model.namedModules()) {
    if (!name.endsWith('.residual')) continue;
    const mod = m as Module & { forward(x: Tensor): Tensor };
    const f = mod.forward.bind(mod);
    mod.forward = (x: Tensor) => profile.scoped('residual', () => f(x));
  }
}

function profileRows(p: OpProfile): ProfileRow[] {
  return [...p.rows]
    .map(([kind, t]) => ({ kind, ...t }))
    .sort((a, b) => b.forwardMs + b.backwardMs - (a.forwardMs + a.backwardMs));
}

/**
 * The gemm and runtime options the kernels ran with, read back from this thread and from every kernel
 * worker (a switch that did not reach them would show as 'mixed', not as the requested path).
 */
function ranWith(): { gemm: GemmKind | 'mixed'; options: RuntimeOptions | 'mixed'; perThread: GemmKind[] } {
  const reports = [runtimeReport(), ...(kernelThreadsOf(getBackend())?.workerReports() ?? [])];
  const same = (f: (r: (typeof reports)[number]) => string) => new Set(reports.map(f)).size === 1;
  return {
    gemm: same((r) => r.gemm) ? reports[0]!.gemm : 'mixed',
    options: same((r) => JSON.stringify(r.options)) ? reports[0]!.options : 'mixed',
    perThread: reports.map((r) => r.gemm),
  };
}

export const benchCommand: Command = {
  path: ['bench'],
  onDevice: true,
  summary: 'ST-GCN training and inference samples/s, batch-1 latency and a per-layer profile',
  help,
  async run(args) {
    const { values, flags } = parseOptions(
      args,
      ['batch', 'frames', 'persons', 'base', 'features', 'classes', 'steps', 'gemm', 'method', 'projector'],
      false,
      ['json', 'profile', 'check'],
    );
    const batch = intOption('batch', values.batch, 16, 2); // batch norm needs > 1 value per channel
    const frames = intOption('frames', values.frames, 50, 4); // two stride-2 stages
    const persons = intOption('persons', values.persons, 2, 1);
    const base = intOption('base', values.base, 16, 1);
    const features = intOption('features', values.features, 256, 1);
    const classes = intOption('classes', values.classes, 60, 2);
    const steps = intOption('steps', values.steps, 3, 1);
    const gemm = choiceOption('gemm', values.gemm, ['auto', 'js'] as const, 'auto');
    const method =
      values.method === undefined ? null : choiceOption('method', values.method, METHOD_NAMES, 'asma');
    const projector = intOption('projector', values.projector, 6144, 2);
    const prevPath = setGemmPath(gemm);
    try {
      if (method !== null) {
        const r = await benchPretrain({ method, batch, frames, base, features, projector, steps });
        const row = {
          ...r,
          backend: getBackend().name,
          adapter: getBackend().adapter ?? null,
          batch,
          frames,
          steps,
        };
        if (flags.json) console.log(JSON.stringify(row));
        else
          console.log(
            `${method} pretraining (${r.encoders} encoder(s), ${r.parameters.toLocaleString('en-US')} encoder parameters, projector ${projector}), batch ${batch}, ${frames} frames, backend ${describeBackend(getBackend())}: ${r.pretrain_step_ms.toFixed(1)} ms per step, ${r.pretrain_samples_per_s.toFixed(2)} samples/s (mean of ${steps}); data ${r.data_ms.toFixed(1)} ms per step on the host, steps with their data ready ${r.data_ready_step_ms.toFixed(1)} ms: ${(100 * r.data_wait_share).toFixed(0)} % of a step waits for data`,
          );
        return 0;
      }
      const rng = new Rng(0);
      const model = new StGcn({ rng, baseChannels: base, outChannels: features });
      const head = new Linear(features, classes, { rng });
      const opt = new Adam([...model.parameters(), ...head.parameters()], { lr: 1e-3 });
      const x = randn([batch, 3, frames, 25, persons], rng);
      const x1 = randn([1, 3, frames, 25, persons], rng);
      const labels = Array.from({ length: batch }, () => rng.int(classes));
      const trainStep = () => {
        model.train();
        const loss = crossEntropy(head.forward(model.forward(x)), labels);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        return loss;
      };
      const infer = (input: Tensor) => () => {
        model.eval();
        return noGrad(() => head.forward(model.forward(input)));
      };
      // warm-up: JIT, wasm tier-up, scratch pools (on a device: pipelines compiled, buffers pooled)
      await timeMs(trainStep, 1);
      await timeMs(infer(x), 1);
      await timeMs(infer(x1), 1);
      const trainMs = await timeMs(trainStep, steps);
      const inferMs = await timeMs(infer(x), steps);
      const latencyMs = await timeMs(infer(x1), steps);

      let profile: { train: ProfileRow[]; infer: ProfileRow[]; trainMs: number; inferMs: number } | null =
        null;
      if (flags.profile) {
        const pt = new OpProfile(opKind);
        const pi = new OpProfile(opKind);
        scopeResiduals(model, pt);
        const t0 = performance.now();
        profileOps(pt, () => {
          pt.mark();
          trainStep();
        });
        const t1 = performance.now();
        scopeResiduals(model, pi);
        profileOps(pi, () => {
          pi.mark();
          infer(x)();
        });
        const t2 = performance.now();
        profile = { train: profileRows(pt), infer: profileRows(pi), trainMs: t1 - t0, inferMs: t2 - t1 };
      }

      const check = flags.check
        ? await checkAgainstCpu({ batch: Math.min(batch, 8), frames, persons, base, features, classes })
        : null;
      const ran = ranWith();
      const result = {
        ...(check === null ? {} : { check }),
        train_samples_per_s: (batch * 1000) / trainMs,
        infer_samples_per_s: (batch * 1000) / inferMs,
        latency_ms_b1: latencyMs,
        backend: getBackend().name,
        adapter: getBackend().adapter ?? null,
        gemm: ran.gemm,
        ...(ran.gemm === 'mixed' ? { gemm_per_thread: ran.perThread } : {}),
        runtime_options: ran.options,
        threads: getBackend().threads ?? 1,
        node: process.version,
        cpu: cpus()[0]?.model ?? 'unknown',
        batch,
        frames,
        persons,
        parameters: model.numParameters(),
        steps,
        ...(profile === null ? {} : { profile }),
      };
      if (flags.json) {
        console.log(JSON.stringify(result));
        return 0;
      }
      console.log(
        `ST-GCN base ${base} / features ${features} (${result.parameters.toLocaleString('en-US')} parameters), input (${batch}, 3, ${frames}, 25, ${persons})`,
      );
      console.log(
        `backend ${describeBackend(getBackend())}, gemm ${result.gemm}, ${result.threads} thread(s), Node ${result.node}, ${result.cpu}; median of ${steps}`,
      );
      console.log('| workload | ms | samples/s |\n|---|---:|---:|');
      console.log(
        `| train step (B=${batch}) | ${trainMs.toFixed(1)} | ${result.train_samples_per_s.toFixed(2)} |`,
      );
      console.log(
        `| inference (B=${batch}) | ${inferMs.toFixed(1)} | ${result.infer_samples_per_s.toFixed(2)} |`,
      );
      console.log(`| inference (B=1) | ${latencyMs.toFixed(1)} | ${(1000 / latencyMs).toFixed(2)} |`);
      if (check !== null)
        console.log(
          `\ncheck against the CPU backend (${check.steps} Adam steps, B=${Math.min(batch, 8)}): loss rel. error ${check.lossRelErr.toExponential(2)}, parameters ${check.paramRelErr.toExponential(2)} (worst ${check.worstParam}), inference logits ${check.inferRelErr.toExponential(2)}`,
        );
      if (profile !== null) {
        printProfile('training step', profile.train, profile.trainMs);
        printProfile('inference', profile.infer, profile.inferMs);
      }
      return 0;
    } finally {
      setGemmPath(prevPath);
    }
  },
};

function printProfile(title: string, rows: ProfileRow[], totalMs: number): void {
  console.log(`\nper-layer profile, one ${title} (${totalMs.toFixed(1)} ms wall)`);
  console.log('| op kind | calls | forward ms | backward ms | share |\n|---|---:|---:|---:|---:|');
  let covered = 0;
  for (const r of rows) {
    const ms = r.forwardMs + r.backwardMs;
    covered += ms;
    console.log(
      `| ${r.kind} | ${r.forwardCalls} | ${r.forwardMs.toFixed(1)} | ${r.backwardMs.toFixed(1)} | ${((100 * ms) / totalMs).toFixed(1)} % |`,
    );
  }
  const rest = totalMs - covered;
  console.log(`| other (engine, optimiser, GC) | | | | ${((100 * rest) / totalMs).toFixed(1)} % |`);
}
