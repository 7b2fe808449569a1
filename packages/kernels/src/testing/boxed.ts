/**
 * A device backend without a device: every tensor's storage is an opaque box around a host array, so
 * anything that reads a tensor's values other than through the kernel table or `read` fails, and each
 * `read` is counted. It runs the inner backend's kernels on what the boxes hold, so its results are
 * that backend's bits. Tests use it to prove that a training step runs wholly through the table (the
 * WebGPU backend's contract) and to count its readbacks, on any machine. A host float array handed
 * to one of its kernels is refused, as a GPU backend could not use it.
 */
import type { DeviceArray, FloatArray, KernelBackend } from '../types.js';

/** Storage of the boxed backend: the host array is reachable only through `unbox`. */
export class Box implements DeviceArray {
  readonly onDevice = true as const;
  readonly byteOffset = 0 as const;
  /** A fresh identity per allocation (the engine tracks holders by `buffer`). */
  readonly buffer = {};
  readonly length: number;
  readonly byteLength: number;
  readonly #data: FloatArray;

  constructor(data: FloatArray) {
    this.#data = data;
    this.length = data.length;
    this.byteLength = data.byteLength;
  }

  static unbox(b: Box): FloatArray {
    return b.#data;
  }
}

export interface BoxedBackend extends KernelBackend<Box> {
  /** Values read back so far (`read` and `allFinite` calls). */
  readonly readbacks: number;
  /** Storage allocated so far (the engine's recycling should keep this flat across steps). */
  readonly allocations: number;
}

/** A host float array reaching a kernel is a bug a GPU backend would hit (its kernels take buffers only). */
const refuseHost = (v: unknown, where: string): void => {
  if (v instanceof Float32Array || v instanceof Float64Array)
    throw new TypeError(`boxed backend: ${where} is a host array; device kernels take device storage only`);
};

const unboxArg = (a: unknown, i: number): unknown => {
  if (a instanceof Box) return Box.unbox(a);
  refuseHost(a, `argument ${i}`);
  if (a !== null && typeof a === 'object' && !Array.isArray(a) && !ArrayBuffer.isView(a)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(a)) {
      refuseHost(v, `argument ${i}.${k}`);
      out[k] = v instanceof Box ? Box.unbox(v) : v;
    }
    return out;
  }
  return a;
};

/** `inner`'s kernels behind opaque storage. float32 only, like a GPU backend. */
export function boxedBackend(inner: KernelBackend<FloatArray>, name = `boxed(${inner.name})`): BoxedBackend {
  let readbacks = 0;
  let allocations = 0;
  const free = new Map<number, Box[]>();
  const fresh = (n: number, zeroed: boolean): Box => {
    const reused = free.get(n)?.pop();
    if (reused !== undefined) {
      if (zeroed) Box.unbox(reused).fill(0);
      return reused;
    }
    allocations++;
    return new Box(new Float32Array(n));
  };
  const table: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(inner))
    if (typeof value === 'function')
      table[key] = (...args: unknown[]) =>
        (value as (...a: unknown[]) => unknown).apply(inner, args.map(unboxArg));
  const backend = {
    ...(table as unknown as KernelBackend<Box>),
    name,
    deviceStorage: true,
    threads: inner.threads,
    adapter: { vendor: 'none', architecture: 'host arrays in boxes', description: `boxed ${inner.name}` },
    allocate(n: number, float64: boolean, zeroed: boolean): Box {
      if (float64)
        throw new RangeError(`${name}: float64 storage is not supported (float32 only, like a GPU)`);
      return fresh(n, zeroed);
    },
    release(b: Box): void {
      const list = free.get(b.length);
      if (list === undefined) free.set(b.length, [b]);
      else if (!list.includes(b)) list.push(b);
    },
    upload(data: FloatArray): Box {
      if (data instanceof Float64Array)
        throw new RangeError(`${name}: float64 data cannot be uploaded (float32 only, like a GPU)`);
      allocations++;
      return new Box(data.slice());
    },
    read(b: Box): Promise<FloatArray> {
      readbacks++;
      return Promise.resolve(Box.unbox(b).slice());
    },
    readSync(): FloatArray {
      throw new Error(`${name}: device storage cannot be read synchronously; use await read()`);
    },
    allocateStats(n: number): Box {
      allocations++;
      return new Box(inner.allocateStats(n) as FloatArray);
    },
    allFinite(b: Box): Promise<boolean> {
      readbacks++;
      return inner.allFinite(Box.unbox(b));
    },
    get readbacks() {
      return readbacks;
    },
    get allocations() {
      return allocations;
    },
  };
  return backend;
}
