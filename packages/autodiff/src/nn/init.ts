/**
 * PyTorch's default initialisers, drawing from a seeded Rng (the values differ from torch's generator,
 * the distributions are the same).
 */
import type { Rng } from '@asma/util';
import { allocateHost, type DType, Tensor } from '../tensor.js';

/** fan_in and fan_out of a weight (out, in, ...receptive) as torch.nn.init._calculate_fan_in_and_fan_out. */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) throw new RangeError(`fans: need at least 2 dimensions, got [${shape.join(',')}]`);
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

export function uniformTensor(
  shape: readonly number[],
  lo: number,
  hi: number,
  rng: Rng,
  dtype: DType = 'float32',
): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = allocateHost(dtype, n);
  for (let i = 0; i < n; i++) data[i] = rng.uniform(lo, hi);
  return new Tensor(data, shape);
}

/** kaiming_uniform_(w, a) with leaky_relu gain: bound = sqrt(6 / ((1 + a^2) fan_in)); a = sqrt(5) is Linear/Conv's default. */
export function kaimingUniform(
  shape: readonly number[],
  rng: Rng,
  a = Math.sqrt(5),
  dtype: DType = 'float32',
): Tensor {
  const { fanIn } = fans(shape);
  const bound = fanIn === 0 ? 0 : Math.sqrt(6 / ((1 + a * a) * fanIn));
  return uniformTensor(shape, -bound, bound, rng, dtype);
}

/** The default bias of Linear/Conv: U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
export function fanInBias(n: number, fanIn: number, rng: Rng, dtype: DType = 'float32'): Tensor {
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return uniformTensor([n], -bound, bound, rng, dtype);
}

/** xavier_uniform_(w, gain): bound = gain * sqrt(6 / (fan_in + fan_out)). */
export function xavierUniform(
  shape: readonly number[],
  rng: Rng,
  gain = 1,
  dtype: DType = 'float32',
): Tensor {
  const { fanIn, fanOut } = fans(shape);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniformTensor(shape, -bound, bound, rng, dtype);
}
