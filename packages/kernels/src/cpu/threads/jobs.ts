/**
 * The kernels a thread can run on its share of a batch, addressed by name so a job can cross a
 * thread boundary as plain data. Both the calling thread and the workers run exactly these
 * functions, so every sample gets the same arithmetic wherever it lands.
 */
import type { FloatArray, GraphAggArgs, TconvArgs } from '../../types.js';
import { tconvOutLength } from '../../types.js';
import { graphAggBackwardAdjacencyRange, graphAggBackwardInputCpu, graphAggForwardCpu } from '../graphAgg.js';
import { tconvBackwardInputCpu, tconvBackwardWeightRange, tconvForwardCpu } from '../tconv.js';

/** Kernels whose samples are independent: arrays[0] is the output, overwritten sample by sample. */
export type SampleKernel =
  | 'tconvForward'
  | 'tconvBackwardInput'
  | 'graphAggForward'
  | 'graphAggBackwardInput';
/** Reductions over the batch: outputs are the partial sum over a range of samples. */
export type PartKernel = 'tconvBackwardWeight' | 'graphAggBackwardAdjacency';
export type KernelArgs = TconvArgs | GraphAggArgs;

type Arrays = readonly (FloatArray | null)[];

/** Elements per sample of each array of a sample kernel (0: the array is shared whole, e.g. weights). */
export function perSample(kernel: SampleKernel, p: KernelArgs): number[] {
  if (kernel === 'tconvForward' || kernel === 'tconvBackwardInput') {
    const t = p as TconvArgs;
    const outer = t.cout * tconvOutLength(t) * t.v;
    const inner = t.cin * t.t * t.v;
    return kernel === 'tconvForward' ? [outer, inner, 0, 0] : [inner, outer, 0];
  }
  const g = p as GraphAggArgs;
  const y = g.c * g.t * g.w;
  const x = g.k * g.c * g.t * g.v;
  return kernel === 'graphAggForward' ? [y, x, 0] : [x, y, 0];
}

/** Run a sample kernel on samples [n0, n1) of the batch described by p. */
export function runSamples(
  kernel: SampleKernel,
  arrays: Arrays,
  p: KernelArgs,
  n0: number,
  n1: number,
): void {
  if (n1 <= n0) return;
  const sizes = perSample(kernel, p);
  const v = arrays.map((a, i) =>
    a === null || sizes[i] === 0 ? a : a.subarray(n0 * sizes[i]!, n1 * sizes[i]!),
  );
  const q = { ...p, n: n1 - n0 };
  switch (kernel) {
    case 'tconvForward':
      tconvForwardCpu(v[0]!, v[1]!, v[2]!, v[3] ?? null, q as TconvArgs);
      return;
    case 'tconvBackwardInput':
      tconvBackwardInputCpu(v[0]!, v[1]!, v[2]!, q as TconvArgs);
      return;
    case 'graphAggForward':
      graphAggForwardCpu(v[0]!, v[1]!, v[2]!, q as GraphAggArgs);
      return;
    case 'graphAggBackwardInput':
      graphAggBackwardInputCpu(v[0]!, v[1]!, v[2]!, q as GraphAggArgs);
      return;
  }
}

/** Elements per sample of a reduction's inputs (both batched: dy and x). */
export function partInputsPerSample(kernel: PartKernel, p: KernelArgs): number[] {
  if (kernel === 'tconvBackwardWeight') {
    const [x, dy] = perSample('tconvBackwardInput', p);
    return [dy!, x!];
  }
  const [x, dy] = perSample('graphAggBackwardInput', p);
  return [dy!, x!];
}

/** Overwrite outs with the reduction over samples [n0, n1) (ins: the kernel's inputs, whole). */
export function runPart(
  kernel: PartKernel,
  outs: Arrays,
  ins: Arrays,
  p: KernelArgs,
  n0: number,
  n1: number,
): void {
  if (kernel === 'tconvBackwardWeight')
    tconvBackwardWeightRange(outs[0]!, outs[1] ?? null, ins[0]!, ins[1]!, p as TconvArgs, n0, n1);
  else graphAggBackwardAdjacencyRange(outs[0]!, ins[0]!, ins[1]!, p as GraphAggArgs, n0, n1);
}

/** Multiply-adds of a kernel call over the whole batch: decides whether threads pay off. */
export function kernelMacs(kernel: SampleKernel | PartKernel, p: KernelArgs): number {
  if (kernel.startsWith('tconv')) {
    const t = p as TconvArgs;
    return t.n * t.cout * t.cin * t.kt * tconvOutLength(t) * t.v;
  }
  const g = p as GraphAggArgs;
  return g.n * g.k * g.c * g.t * g.v * g.w;
}
