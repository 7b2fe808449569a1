/**
 * IntTensor: a plain integer array with a shape, for the few integer values a state dict holds
 * (BatchNorm's num_batches_tracked, optimiser step counters). Not differentiable and not an op input;
 * it exists so such values keep their PyTorch dtype (int64) through safetensors round trips.
 */
export type IntArray = BigInt64Array | Int32Array | Uint8Array;
export type IntDType = 'int64' | 'int32' | 'uint8' | 'bool';

export class IntTensor {
  readonly shape: readonly number[];
  readonly data: IntArray;
  /** 'bool' marks a Uint8Array holding 0/1 (safetensors BOOL). */
  readonly dtype: IntDType;

  constructor(data: IntArray, shape: readonly number[], dtype?: IntDType) {
    let n = 1;
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0)
        throw new RangeError(`IntTensor: invalid shape [${shape.join(', ')}]`);
      n *= d;
    }
    if (n !== data.length)
      throw new RangeError(
        `IntTensor: shape [${shape.join(', ')}] needs ${n} elements, data has ${data.length}`,
      );
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype =
      dtype ?? (data instanceof BigInt64Array ? 'int64' : data instanceof Int32Array ? 'int32' : 'uint8');
    if (this.dtype === 'bool' && !(data instanceof Uint8Array))
      throw new TypeError('IntTensor: bool needs a Uint8Array');
  }

  get size(): number {
    return this.data.length;
  }

  /** The single value as a number (int64 beyond 2^53 loses precision, which num_batches_tracked never reaches). */
  item(): number {
    if (this.data.length !== 1) throw new RangeError(`IntTensor.item: ${this.data.length} elements, not 1`);
    return Number(this.data[0]!);
  }

  clone(): IntTensor {
    return new IntTensor(this.data.slice() as IntArray, this.shape, this.dtype);
  }

  /** A 0-d int64 tensor, PyTorch's num_batches_tracked layout. */
  static int64Scalar(value: number): IntTensor {
    return new IntTensor(BigInt64Array.of(BigInt(value)), []);
  }
}
