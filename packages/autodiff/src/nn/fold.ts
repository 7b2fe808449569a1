/**
 * Eval-mode BatchNorm folded into the convolution before it: bn(conv(x, w, b)) = conv(x, w', b') with
 * s = gamma / sqrt(running_var + eps), w'[o] = w[o] s[o], b'[o] = b[o] s[o] + (beta[o] - mean[o] s[o]).
 * One pass over the output instead of two; the values differ from the unfolded pair by rounding only.
 */

import { getBackend } from '@asma/kernels';
import { noteScratch } from '../grad/scratch.js';
import { allocateHost, Tensor } from '../tensor.js';
import type { Conv2d } from './conv.js';
import type { BatchNorm1d, BatchNorm2d } from './norm.js';

export type BatchNorm = BatchNorm1d | BatchNorm2d;

/** Whether bn normalises with its running statistics now (eval mode and tracked), so it can be folded. */
export function foldable(bn: BatchNorm): boolean {
  // The fold runs on host arrays: a device backend takes the unfolded path.
  return (
    !bn.training && bn.runningMean !== null && bn.runningVar !== null && getBackend().deviceStorage !== true
  );
}

/** Per-channel scale and shift of bn in eval mode (whatever its mode now), in its dtype, each rounded once. */
export function batchNormAffine(bn: BatchNorm): {
  scale: Float32Array | Float64Array;
  shift: Float32Array | Float64Array;
} {
  if (bn.runningMean === null || bn.runningVar === null)
    throw new RangeError(
      'batchNormAffine: the BatchNorm has no running statistics (trackRunningStats: false)',
    );
  const mean = bn.runningMean.data;
  const vr = bn.runningVar.data;
  const make = (n: number) => (mean instanceof Float64Array ? new Float64Array(n) : new Float32Array(n));
  const scale = make(bn.numFeatures);
  const shift = make(bn.numFeatures);
  for (let c = 0; c < scale.length; c++) {
    scale[c] = (bn.weight ? bn.weight.data[c]! : 1) / Math.sqrt(vr[c]! + bn.eps);
    shift[c] = (bn.bias ? bn.bias.data[c]! : 0) - mean[c]! * scale[c]!;
  }
  return { scale, shift };
}

/**
 * The weight and bias of conv with bn after it folded in, as bn acts in eval mode (plain tensors outside the graph:
 * for inference). Inside a `scratch` scope their buffers are recycled with the scope's intermediates.
 */
export function foldBatchNorm(conv: Conv2d, bn: BatchNorm): { weight: Tensor; bias: Tensor } {
  if (bn.numFeatures !== conv.outChannels)
    throw new RangeError(
      `foldBatchNorm: BatchNorm over ${bn.numFeatures} channels cannot follow Conv2d with ${conv.outChannels} outputs`,
    );
  const { scale, shift } = batchNormAffine(bn);
  const w = conv.weight;
  const weight = allocateHost(w.dtype, w.size, false); // written whole below
  const bias = allocateHost(w.dtype, conv.outChannels, false);
  const per = w.size / conv.outChannels;
  const b = conv.bias?.data;
  for (let o = 0; o < conv.outChannels; o++) {
    const s = scale[o]!;
    for (let j = o * per; j < (o + 1) * per; j++) weight[j] = w.data[j]! * s;
    bias[o] = (b ? b[o]! : 0) * s + shift[o]!;
  }
  noteScratch(weight);
  return { weight: new Tensor(weight, w.shape), bias: new Tensor(bias, [conv.outChannels]) };
}
