/**
 * Per-clip inference time of several models on the same clips in the same process, interleaved
 * (round-robin within every repetition) so that machine load affects all of them alike. Reports the
 * median over repetitions, after warm-up, for each batch size. A runner that returns a tensor has its
 * values read back inside the timing (awaited): on a device backend the work is only queued until then.
 */
import type { Tensor } from '@asma/autodiff';
import { getBackend } from '@asma/kernels';
import { type ClipDataset, clipCount, gatherClips } from '@asma/trainer';
import type { InferencePlan } from './infer/plan.js';

export interface InferenceRunner {
  name: string;
  /** Run one batch (N, C, T, V, M); a returned tensor is read back (timed), otherwise ignored. */
  run(clips: Float32Array, shape: readonly number[]): Tensor | unknown;
}

export interface BenchRow {
  name: string;
  batchSize: number;
  /** Median milliseconds per clip. */
  msPerClip: number;
  clipsPerSecond: number;
}

export interface BenchResult {
  /** Kernel backend of the autodiff models ('cpu', ...); compiled plans run on the CPU in WebAssembly SIMD. */
  backend: string;
  rows: BenchRow[];
}

export interface BenchOptions {
  batchSizes?: number[];
  /** Timed repetitions per model and batch size (default 7). */
  reps?: number;
  warmup?: number;
}

function isTensor(v: unknown): v is Tensor {
  return typeof (v as Tensor | null)?.read === 'function';
}

export async function benchInference(
  runners: InferenceRunner[],
  data: ClipDataset,
  o: BenchOptions = {},
): Promise<BenchResult> {
  const reps = o.reps ?? 7;
  const warmup = o.warmup ?? 1;
  const rows: BenchRow[] = [];
  for (const bs of o.batchSizes ?? [16, 1]) {
    const n = Math.min(bs, clipCount(data));
    const { batch } = gatherClips(
      data,
      Array.from({ length: n }, (_, i) => i),
    );
    const times = runners.map(() => [] as number[]);
    for (let r = 0; r < warmup + reps; r++)
      for (const [i, runner] of runners.entries()) {
        const t0 = performance.now();
        const out = runner.run(batch.data, batch.shape);
        if (isTensor(out)) await out.read();
        const dt = performance.now() - t0;
        if (r >= warmup) times[i]!.push(dt / n);
      }
    runners.forEach((runner, i) => {
      const sorted = times[i]!.sort((a, b) => a - b);
      const ms = sorted[Math.floor(sorted.length / 2)]!;
      rows.push({ name: runner.name, batchSize: n, msPerClip: ms, clipsPerSecond: 1000 / ms });
    });
  }
  return { backend: getBackend().name, rows };
}

/** A runner over compiled plans (compileClassifier, compileQuantized), one per clip shape, built on first use. */
export function planRunner(compile: (shape: readonly number[]) => InferencePlan): InferenceRunner['run'] {
  const plans = new Map<string, InferencePlan>();
  return (x, s) => {
    const key = s.join(',');
    let plan = plans.get(key);
    if (plan === undefined) {
      plan = compile(s);
      plans.set(key, plan);
    }
    plan.run(x, s);
  };
}
