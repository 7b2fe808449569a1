/**
 * Per-clip inference time of several models on the same clips in the same process, interleaved
 * (round-robin within every repetition) so that machine load affects all of them alike. Reports the
 * median over repetitions, after warm-up, for each batch size.
 */
import { getBackend } from '@asma/kernels';
import { type ClipDataset, clipCount, gatherClips } from '@asma/trainer';

export interface InferenceRunner {
  name: string;
  /** Run one batch (N, C, T, V, M); the result is ignored. */
  run(clips: Float32Array, shape: readonly number[]): void;
}

export interface BenchRow {
  name: string;
  batchSize: number;
  /** Median milliseconds per clip. */
  msPerClip: number;
  clipsPerSecond: number;
}

export interface BenchResult {
  /** Kernel backend of the autodiff models ('cpu', ...); int8 kernels are plain JS on the CPU. */
  backend: string;
  rows: BenchRow[];
}

export interface BenchOptions {
  batchSizes?: number[];
  /** Timed repetitions per model and batch size (default 7). */
  reps?: number;
  warmup?: number;
}

export function benchInference(
  runners: InferenceRunner[],
  data: ClipDataset,
  o: BenchOptions = {},
): BenchResult {
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
      runners.forEach((runner, i) => {
        const t0 = performance.now();
        runner.run(batch.data, batch.shape);
        const dt = performance.now() - t0;
        if (r >= warmup) times[i]!.push(dt / n);
      });
    runners.forEach((runner, i) => {
      const sorted = times[i]!.sort((a, b) => a - b);
      const ms = sorted[Math.floor(sorted.length / 2)]!;
      rows.push({ name: runner.name, batchSize: n, msPerClip: ms, clipsPerSecond: 1000 / ms });
    });
  }
  return { backend: getBackend().name, rows };
}
