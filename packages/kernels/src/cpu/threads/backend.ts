/**
 * The CPU backend spread over kernel threads: the same kernels as `cpuBackend`, each call split over
 * the batch when it is big enough to repay the hand-off. Results are bit-identical to `cpuBackend`
 * for any thread count (per-sample work is unchanged; reductions use the fixed parts of partition.ts).
 */
import type { FloatArray, KernelBackend } from '../../types.js';
import { cpuBackend } from '../backend.js';
import { type KernelArgs, kernelMacs, type PartKernel, type SampleKernel } from './jobs.js';
import { type KernelThreads, sharedFloat32 } from './pool.js';
import type { TaskArgs, TaskKernel } from './tasks.js';

/** Element-wise calls below this many elements stay on the calling thread (a hand-off is ~45 us). */
export const THREADS_MIN_ELEMENTS = 65536;

/**
 * Calls below this many multiply-adds stay on the calling thread. A hand-off costs ~45 us (post,
 * wake, answer) plus staging; at 2M a small model (base width 4, batch 4) trained ~15 % slower on two
 * threads than on one, at 8M it is level, and ST-GCN-16's calls (5.8M-6G) are unaffected.
 */
export const THREADS_MIN_MACS = 8_000_000;

/** Kernel outputs at least this long live in shared memory (smaller ones are cheap to stage). */
const SHARED_MIN_ELEMENTS = 16384;

export interface ThreadedBackendOptions {
  /** Work threshold per call (default THREADS_MIN_MACS); 0 splits every call (tests). */
  minMacs?: number;
  /** Element-wise threshold per call (default THREADS_MIN_ELEMENTS); 0 splits every call (tests). */
  minElements?: number;
}

export function threadedCpuBackend(
  pool: KernelThreads,
  opts: ThreadedBackendOptions = {},
): KernelBackend<FloatArray> {
  const minMacs = opts.minMacs ?? THREADS_MIN_MACS;
  const minElements = opts.minElements ?? THREADS_MIN_ELEMENTS;
  const split = (kernel: SampleKernel | PartKernel, p: KernelArgs, arrays: readonly (FloatArray | null)[]) =>
    pool.threads > 1 &&
    p.n > 1 &&
    kernelMacs(kernel, p) >= minMacs &&
    arrays.every((a) => a === null || a instanceof Float32Array);
  /**
   * Run a task over `total` channels or elements with every array shared: plain arrays are copied
   * into staging (except the write-only outputs in `fresh`), and those in `outputs` copied back whole.
   */
  const task = (
    kernel: TaskKernel,
    arrays: (FloatArray | null)[],
    outputs: readonly number[],
    fresh: readonly number[],
    args: TaskArgs,
    total: number,
  ) => {
    const shared = arrays.map((a, i) => (a === null ? null : pool.stage(`t${i}`, a, !fresh.includes(i))));
    pool.task(kernel, shared, args, total);
    for (const i of outputs) if (shared[i] !== arrays[i]) arrays[i]!.set(shared[i]!);
  };
  const splitTask = (elements: number, ...arrays: (FloatArray | null)[]) =>
    pool.threads > 1 &&
    elements >= minElements &&
    arrays.every((a) => a === null || a instanceof Float32Array);
  return {
    ...cpuBackend,
    name: cpuBackend.name,
    threads: pool.threads,
    allocate: (n, float64) => (float64 || n < SHARED_MIN_ELEMENTS ? null : sharedFloat32(n)),
    matmul: cpuBackend.matmul,
    tconvForward(out, x, w, bias, p) {
      const arrays = [out, x, w, bias];
      if (split('tconvForward', p, arrays)) pool.samples('tconvForward', arrays, p);
      else cpuBackend.tconvForward(out, x, w, bias, p);
    },
    tconvBackwardInput(dx, dy, w, p) {
      const arrays = [dx, dy, w];
      if (split('tconvBackwardInput', p, arrays)) pool.samples('tconvBackwardInput', arrays, p);
      else cpuBackend.tconvBackwardInput(dx, dy, w, p);
    },
    tconvBackwardWeight(dw, dbias, dy, x, p) {
      if (split('tconvBackwardWeight', p, [dw, dbias, dy, x]))
        pool.parts('tconvBackwardWeight', [dw, dbias], [dy, x], p);
      else cpuBackend.tconvBackwardWeight(dw, dbias, dy, x, p);
    },
    graphAggForward(y, x, a, p) {
      const arrays = [y, x, a];
      if (split('graphAggForward', p, arrays)) pool.samples('graphAggForward', arrays, p);
      else cpuBackend.graphAggForward(y, x, a, p);
    },
    graphAggBackwardInput(dx, dy, a, p) {
      const arrays = [dx, dy, a];
      if (split('graphAggBackwardInput', p, arrays)) pool.samples('graphAggBackwardInput', arrays, p);
      else cpuBackend.graphAggBackwardInput(dx, dy, a, p);
    },
    graphAggBackwardAdjacency(dA, dy, x, p) {
      if (split('graphAggBackwardAdjacency', p, [dA, dy, x]))
        pool.parts('graphAggBackwardAdjacency', [dA], [dy, x], p);
      else cpuBackend.graphAggBackwardAdjacency(dA, dy, x, p);
    },
    batchNormForward(a) {
      const { runs } = a;
      if (!splitTask(a.x.length, a.x, a.out) || runs.c < 2 || a.channels)
        return cpuBackend.batchNormForward(a);
      const arrays = [a.x, a.out, a.mean, a.variance, a.rstd, a.weight, a.bias];
      task(
        'batchNormForward',
        arrays,
        [1, 2, 3, 4],
        [1],
        { runs, training: a.training, eps: a.eps, relu: a.relu },
        runs.c,
      );
    },
    batchNormBackward(a) {
      const { runs } = a;
      if (!splitTask(a.g.length, a.g, a.x, a.reluOut, a.gx) || runs.c < 2 || a.channels)
        return cpuBackend.batchNormBackward(a);
      const arrays = [a.g, a.x, a.reluOut, a.mean, a.rstd, a.weight, a.gx, a.sumG, a.sumGXhat];
      task('batchNormBackward', arrays, [6, 7, 8], [6], { runs, training: a.training }, runs.c);
    },
    addRelu(out, a, b) {
      if (splitTask(out.length, out, a, b)) task('addRelu', [out, a, b], [0], [0], {}, out.length);
      else cpuBackend.addRelu(out, a, b);
    },
    dropout(out, mask, x, p, key) {
      if (splitTask(out.length, out, mask, x))
        task('dropout', [out, mask, x], [0, 1], [0, 1], { p, key }, out.length);
      else cpuBackend.dropout(out, mask, x, p, key);
    },
    reluMask(out, src, x) {
      if (splitTask(out.length, out, src, x)) task('reluMask', [out, src, x], [0], [0], {}, out.length);
      else cpuBackend.reluMask(out, src, x);
    },
  };
}
