/**
 * Finiteness checks for weights on their way into and out of files: a model holding NaN or Inf is
 * never written and never loaded, and the error names the file and the tensor.
 */
import type { FloatArray } from '@asma/kernels';
import { Tensor } from '../tensor.js';
import type { IntTensor } from './int-tensor.js';

/** Index of the first NaN or +-Inf in `data`, or -1. */
export function firstNonFinite(data: ArrayLike<number>): number {
  // x * 0 is 0 for every finite x and NaN for NaN and +-Inf: one branch-free pass, one test per element.
  for (let i = 0; i < data.length; i++) if (data[i]! * 0 !== 0) return i;
  return -1;
}

/** A tensor of a model file (or of a model about to be written) holds NaN or Inf. */
export class NonFiniteTensorError extends Error {
  override name = 'NonFiniteTensorError';
  constructor(
    readonly file: string,
    readonly tensor: string,
    readonly index: number,
    readonly value: number,
  ) {
    super(
      `${file}: tensor "${tensor}" holds ${value} at element ${index}; refusing a model with non-finite values`,
    );
  }
}

/** Throw NonFiniteTensorError for the first float tensor of `entries` holding NaN or Inf. */
export function assertFiniteTensors(
  entries: Iterable<[string, Tensor | IntTensor | { data: FloatArray | ArrayLike<number> }]>,
  file: string,
): void {
  for (const [name, t] of entries) {
    if (t instanceof Tensor || t.data instanceof Float32Array || t.data instanceof Float64Array) {
      const d = t.data as FloatArray;
      const i = firstNonFinite(d);
      if (i >= 0) throw new NonFiniteTensorError(file, name, i, d[i]!);
    }
  }
}
