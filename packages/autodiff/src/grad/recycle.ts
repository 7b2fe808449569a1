/**
 * The buffer pool: large float arrays that nothing can read any more, kept for the next allocation of
 * the same dtype and length. A fresh large typed array costs far more than the loop that fills it: on
 * the 2-core machine a first touch page-faults at ~9 us per 4 KiB page, so a training step of
 * ST-GCN-16 (B = 16) that allocates ~570 MB afresh spent ~1 s of its first three steps in the kernel,
 * and the collector, which frees array buffers late, let the heap grow to ~1 GB before it settled.
 *
 * Buffers come back from two places, both where the engine can prove that nobody reads them again:
 * - backward: each gradient array once the last pending gradient holding it lets go (grad/backward.ts);
 * - `scratch(fn)`: the op outputs that fn allocated and did not return, once the backward pass that
 *   frees their graph has run (or at once when fn built no graph).
 * `allocate` (tensor.ts) takes from here before asking the allocator. The pool outlives single calls,
 * so one training step's activations and gradients serve the next step; it is bounded in bytes.
 */
import { type FloatArray, getBackend, isDeviceArray, type Storage } from '@asma/kernels';

/** Smaller arrays come cheaply from the allocator; pooling them would only add bookkeeping. */
const MIN_ELEMENTS = 16384;

class BufferPool {
  /** Free arrays by length: float32 under +n, float64 under -n. */
  private readonly free = new Map<number, FloatArray[]>();
  /** Buffers now in the pool: a second offer of the same buffer must not hand it out twice. */
  private held = new WeakSet<ArrayBufferLike>();
  bytes = 0;
  limitBytes = 2 ** 31;

  /** Offer an array nobody references any more (whole buffers only: a view would alias live data). */
  put(a: FloatArray): void {
    if (a.length < MIN_ELEMENTS || a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength) return;
    if (this.held.has(a.buffer) || this.bytes + a.byteLength > this.limitBytes) return;
    const key = a instanceof Float64Array ? -a.length : a.length;
    const list = this.free.get(key);
    if (list === undefined) this.free.set(key, [a]);
    else list.push(a);
    this.held.add(a.buffer);
    this.bytes += a.byteLength;
  }

  /** An array of that dtype and length (zero-filled when `zero`), or null. */
  take(float64: boolean, n: number, zero: boolean): FloatArray | null {
    if (n < MIN_ELEMENTS) return null;
    const a = this.free.get(float64 ? -n : n)?.pop();
    if (a === undefined) return null;
    this.held.delete(a.buffer);
    this.bytes -= a.byteLength;
    if (!zero) return a;
    // fill() on shared memory goes element by element (no memset): 8-byte elements halve its time.
    if (a.byteLength % 8 === 0) new Float64Array(a.buffer).fill(0);
    else a.fill(0);
    return a;
  }

  clear(): void {
    this.free.clear();
    this.held = new WeakSet();
    this.bytes = 0;
  }
}

const pool = new BufferPool();
let enabled = true;

/** Switch recycling on (the default) or off, e.g. to compare; returns the previous setting. Off empties the pool. */
export function setBufferRecycling(on: boolean): boolean {
  const prev = enabled;
  enabled = on;
  if (!on) pool.clear();
  return prev;
}

/** Whether backward and `scratch` recycle buffers. */
export function bufferRecycling(): boolean {
  return enabled;
}

/** The former names, from when only backward recycled. */
export const setGradientRecycling = setBufferRecycling;
export const gradientRecycling = bufferRecycling;

/** Bytes the pool holds now, and its bound. */
export function bufferPoolStats(): { bytes: number; limitBytes: number } {
  return { bytes: pool.bytes, limitBytes: pool.limitBytes };
}

/** Bound the bytes the pool may hold (default 2 GiB); 0 keeps nothing. Returns the previous bound. */
export function setBufferPoolLimit(bytes: number): number {
  if (!(bytes >= 0)) throw new RangeError(`setBufferPoolLimit: expected bytes >= 0, got ${bytes}`);
  const prev = pool.limitBytes;
  pool.limitBytes = bytes;
  if (pool.bytes > bytes) pool.clear();
  return prev;
}

/** Let the collector have every pooled buffer (e.g. before a phase that needs other sizes). */
export function clearBufferPool(): void {
  pool.clear();
}

/** Hand a dead array to the pool (ignored when recycling is off or it is small or a view). */
export function recycle(a: Storage): void {
  // Device storage goes back to the backend that made it, which pools it.
  if (isDeviceArray(a)) getBackend().release?.(a);
  else if (enabled) pool.put(a);
}

/** A pooled array of that dtype and length (zeroed unless `zero` is false: old values), or null. */
export function takeRecycled(float64: boolean, n: number, zero = true): FloatArray | null {
  return enabled ? pool.take(float64, n, zero) : null;
}
