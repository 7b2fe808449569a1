/** Interop with the `ndarray` package: zero-copy views where the layout allows, copies otherwise. */
import { type FloatArray, stridedGather } from '@asma/kernels';
import ndarray, { type NdArray } from 'ndarray';
import { ArgumentError } from './ops/errors.js';
import { contiguousStrides } from './ops/strided.js';
import { shapeSize, Tensor } from './tensor.js';

/** A C-order ndarray view over the tensor's data (no copy; writes go through to the tensor). */
export function toNdarray(t: Tensor): NdArray<FloatArray> {
  return ndarray(t.data, [...t.shape]);
}

/**
 * A tensor from an ndarray of Float32Array/Float64Array storage. Contiguous C-order views share their data;
 * other strides/offsets are copied.
 */
export function fromNdarray(a: NdArray, opts: { requiresGrad?: boolean } = {}): Tensor {
  const data = a.data as unknown;
  if (!(data instanceof Float32Array || data instanceof Float64Array))
    throw new ArgumentError('fromNdarray: storage must be a Float32Array or Float64Array');
  const shape = [...a.shape];
  const n = shapeSize(shape);
  const cs = contiguousStrides(shape);
  const contiguous = shape.every((d, i) => d === 1 || a.stride[i] === cs[i]);
  let out: FloatArray;
  if (contiguous) out = data.subarray(a.offset, a.offset + n);
  else {
    out = data instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
    stridedGather(out, data, shape, a.stride, a.offset);
  }
  return new Tensor(out, shape, opts.requiresGrad ?? false);
}
