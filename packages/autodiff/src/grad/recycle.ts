/**
 * Gradient buffers recycled within one backward pass. A fresh large typed array costs far more than
 * the loop that fills it (page faults on first touch, then unmapping when collected: 3-6x an
 * element-wise pass over 640k floats on the 2-core machine), and backward allocates one gradient per
 * activation, mostly of the sizes it has just consumed. So while backward runs, the engine hands each
 * consumed gradient it exclusively owns back here and `allocate` takes a zeroed one of the same dtype
 * and length from here before asking the allocator. The pool lives for one backward call only.
 */
import type { FloatArray } from '@asma/kernels';

/** Smaller arrays come cheaply from the allocator; pooling them would only add bookkeeping. */
const MIN_ELEMENTS = 16384;
/** Per (dtype, length): enough for the fan-out of one block, bounded so memory cannot pile up. */
const MAX_PER_SIZE = 4;

export class GradientPool {
  private readonly f32 = new Map<number, Float32Array[]>();
  private readonly f64 = new Map<number, Float64Array[]>();

  /** Offer an array nobody references any more (whole buffers only: a view would alias live data). */
  put(a: FloatArray): void {
    if (a.length < MIN_ELEMENTS || a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength) return;
    const map = (a instanceof Float64Array ? this.f64 : this.f32) as Map<number, FloatArray[]>;
    const list = map.get(a.length);
    if (list === undefined) map.set(a.length, [a]);
    else if (list.length < MAX_PER_SIZE) list.push(a);
  }

  /** A zero-filled array of that dtype and length, or null. */
  take(float64: boolean, n: number): FloatArray | null {
    if (n < MIN_ELEMENTS) return null;
    const a = (float64 ? this.f64 : this.f32).get(n)?.pop();
    if (a === undefined) return null;
    a.fill(0);
    return a;
  }
}

let active: GradientPool | null = null;
let enabled = true;

/** Switch recycling on (the default) or off, e.g. to compare; returns the previous setting. */
export function setGradientRecycling(on: boolean): boolean {
  const prev = enabled;
  enabled = on;
  return prev;
}

/** Whether backward passes recycle gradient buffers. */
export function gradientRecycling(): boolean {
  return enabled;
}

/** The pool of the backward pass now running, or null. */
export function activePool(): GradientPool | null {
  return active;
}

/** Run fn with `pool` active (restores the previous one: backward inside backward keeps its own). */
export function withPool<T>(pool: GradientPool, fn: () => T): T {
  const prev = active;
  active = enabled ? pool : null;
  try {
    return fn();
  } finally {
    active = prev;
  }
}
