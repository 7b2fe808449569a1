/**
 * The element-wise kernels a thread runs on its share of a call: batch norm over a channel range,
 * the ReLU-family maps and dropout over an element range. Channels and elements are independent (dropout's
 * draws are counter-based), so the result is
 * the same bits however a call is split.
 */
import type { ChannelRuns, FloatArray } from '../../types.js';
import {
  addReluInto,
  batchNormBackwardInto,
  batchNormForwardInto,
  dropoutInto,
  reluMaskInto,
} from '../elementwise/ops.js';

export type TaskKernel = 'batchNormForward' | 'batchNormBackward' | 'addRelu' | 'reluMask' | 'dropout';

/** A task's scalars (batch norm's, dropout's; the maps have none). */
export interface TaskArgs {
  runs?: ChannelRuns;
  training?: boolean;
  eps?: number;
  relu?: boolean;
  /** Dropout's probability and key. */
  p?: number;
  key?: number;
}

type Arrays = readonly (FloatArray | null)[];
const f64 = (a: FloatArray | null) => a as Float64Array;

/**
 * Run a task on [r0, r1): channels for batch norm (arrays: x, out, mean, variance, rstd, weight, bias
 * forward; g, x, reluOut, mean, rstd, weight, gx, sumG, sumGXhat backward), elements for the maps
 * (out and their two inputs, in the order of addReluInto / reluMaskInto; dropout: out, mask, x).
 */
export function runTask(kernel: TaskKernel, arrays: Arrays, args: TaskArgs, r0: number, r1: number): void {
  if (r1 <= r0) return;
  const runs = args.runs!;
  const a = arrays;
  switch (kernel) {
    case 'batchNormForward':
      batchNormForwardInto({
        x: a[0]!,
        out: a[1]!,
        mean: f64(a[2]!),
        variance: f64(a[3]!),
        rstd: f64(a[4]!),
        weight: a[5] ?? null,
        bias: a[6] ?? null,
        runs,
        training: args.training!,
        eps: args.eps!,
        relu: args.relu!,
        channels: [r0, r1],
      });
      return;
    case 'batchNormBackward':
      batchNormBackwardInto({
        g: a[0]!,
        x: a[1]!,
        reluOut: a[2] ?? null,
        mean: f64(a[3]!),
        rstd: f64(a[4]!),
        weight: a[5] ?? null,
        gx: a[6] ?? null,
        sumG: f64(a[7]!),
        sumGXhat: f64(a[8]!),
        runs,
        training: args.training!,
        channels: [r0, r1],
      });
      return;
    case 'addRelu':
      addReluInto(a[0]!.subarray(r0, r1), a[1]!.subarray(r0, r1), a[2]!.subarray(r0, r1));
      return;
    case 'reluMask':
      reluMaskInto(a[0]!.subarray(r0, r1), a[1]!.subarray(r0, r1), a[2]!.subarray(r0, r1));
      return;
    case 'dropout':
      // arrays: out, mask, x; the draws are counted from the whole call's element 0.
      dropoutInto(
        a[0]!.subarray(r0, r1),
        a[1]!.subarray(r0, r1),
        a[2]!.subarray(r0, r1),
        args.p!,
        args.key!,
        r0,
      );
      return;
  }
}
