/** Device storage of the WebGPU backend: a float32 view of `length` values at the start of a pooled GPUBuffer. */
import type { DeviceArray } from '@asma/kernels';

export class GpuArray implements DeviceArray {
  readonly onDevice = true as const;
  readonly byteOffset = 0 as const;
  /** Set by `release`: the buffer is back in the pool and may hold another array's values. */
  released = false;

  constructor(
    /** The GPUBuffer (its size is the pool's bucket size, at least byteLength). */
    readonly buffer: GPUBuffer,
    readonly length: number,
    /** The backend that made it (arrays of another device are rejected). */
    readonly owner: object,
  ) {}

  get byteLength(): number {
    return this.length * 4;
  }
}

/** `s` as an array of this backend, or a clear error naming the kernel entry and argument. */
export function expectGpu(s: unknown, owner: object, entry: string, arg: string): GpuArray {
  if (s instanceof GpuArray) {
    if (s.owner !== owner)
      throw new Error(`webgpu ${entry}: ${arg} belongs to another WebGPU backend (device)`);
    if (s.released) throw new Error(`webgpu ${entry}: ${arg} was released (used after release)`);
    return s;
  }
  const kind =
    s instanceof Float64Array
      ? 'a host Float64Array (the WebGPU backend is float32 only)'
      : s instanceof Float32Array
        ? 'a host Float32Array (upload it first)'
        : `${s === null ? 'null' : typeof s}`;
  throw new TypeError(`webgpu ${entry}: ${arg} must be a GpuArray of this backend, got ${kind}`);
}

/** Throws unless every array has `n` elements. */
export function expectLength(entry: string, n: number, arrays: Record<string, GpuArray | null>): void {
  for (const [name, a] of Object.entries(arrays))
    if (a !== null && a.length !== n)
      throw new RangeError(`webgpu ${entry}: ${name} must have ${n} elements, got ${a.length}`);
}
