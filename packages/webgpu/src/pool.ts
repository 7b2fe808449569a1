/**
 * Size-bucketed pool of storage buffers: a released buffer waits in its bucket for the next request of
 * that bucket. Buckets are quarter octaves (sizes 4, 5, 6, 7 x 2^k bytes), so a buffer is at most 25%
 * larger than asked. Reuse is safe without waiting for the GPU: commands run in queue order, so work
 * recorded after a release sees the new owner's writes only.
 */
export const STORAGE_USAGE = 0x80 | 0x04 | 0x08; // STORAGE | COPY_SRC | COPY_DST

export function bucketBytes(bytes: number): number {
  const b = Math.max(16, Math.ceil(bytes / 4) * 4);
  if (b <= 64) return b;
  const k = 2 ** (Math.floor(Math.log2(b)) - 2);
  return Math.ceil(b / k) * k;
}

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  /** Bytes in live (handed out) and pooled buffers. */
  liveBytes = 0;
  pooledBytes = 0;

  constructor(private readonly device: GPUDevice) {}

  /** A buffer of at least `bytes`, and whether it is fresh (zero-filled by WebGPU) or reused. */
  take(bytes: number): { buffer: GPUBuffer; fresh: boolean } {
    const size = bucketBytes(bytes);
    const max = this.device.limits.maxBufferSize;
    if (size > max)
      throw new RangeError(
        `webgpu allocate: ${bytes} bytes exceed the device's maxBufferSize (${max} bytes)`,
      );
    this.liveBytes += size;
    const reused = this.free.get(size)?.pop();
    if (reused) {
      this.pooledBytes -= size;
      return { buffer: reused, fresh: false };
    }
    return { buffer: this.device.createBuffer({ size, usage: STORAGE_USAGE }), fresh: true };
  }

  give(buffer: GPUBuffer): void {
    const size = buffer.size;
    this.liveBytes -= size;
    this.pooledBytes += size;
    const list = this.free.get(size);
    if (list) list.push(buffer);
    else this.free.set(size, [buffer]);
  }

  /** Destroys the pooled buffers (live ones are untouched). */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.pooledBytes = 0;
  }
}
