/**
 * Tensor: a contiguous C-order float array with a shape, plus the autodiff bookkeeping
 * (requiresGrad, the accumulated .grad, and the GradNode that produced it).
 *
 * The one import cycle of this package, on purpose: Tensor's fluent methods (`t.add(u)`, `t.backward()`)
 * call the ops and the backward pass, and the ops build Tensors and allocate through `allocate` /
 * `storageOf` here. Every name crosses the cycle at call time, never while a module initialises, so ES
 * module order does not matter (tfjs-core's chained ops have the same shape). Breaking it would
 * mean free functions only (no `t.add`), or a registration step every entry point must remember.
 */
import { type FloatArray, getBackend, isDeviceArray, type Storage } from '@asma/kernels';
import type { Rng } from '@asma/util';
import { runBackward } from './grad/backward.js';
import { takeRecycled } from './grad/recycle.js';
import { noteAllocation } from './grad/scratch.js';
import type { GradNode } from './grad/tape.js';
import { firstNonFinite } from './io/finite.js';
import * as act from './ops/activation.js';
import * as ew from './ops/elementwise.js';
import { ArgumentError, fmtShape, ShapeError } from './ops/errors.js';
import * as la from './ops/linalg.js';
import * as red from './ops/reduce.js';
import * as sh from './ops/shape.js';

export type DType = 'float32' | 'float64';
export type NestedArray = number | NestedArray[];

export interface TensorOptions {
  requiresGrad?: boolean;
  dtype?: DType;
}

/**
 * Zeroed storage for n values: a recycled buffer of the same dtype and length (grad/recycle.ts), else
 * the backend's own when it has any (shared memory on the threaded backend, so that its threads read
 * and write tensors in place instead of staging them), else a plain typed array. `zeroed: false` is for
 * a kernel output that is written whole (the kernels' contract says "overwrites"): a recycled buffer
 * then keeps its old values, and a zeroing pass over it is saved.
 */
export function allocate(dtype: DType, n: number, zeroed = true): Storage {
  const be = getBackend();
  const a = be.deviceStorage
    ? be.allocate!(n, dtype === 'float64', zeroed)!
    : (takeRecycled(dtype === 'float64', n, zeroed) ??
      be.allocate?.(n, dtype === 'float64', zeroed) ??
      (dtype === 'float64' ? new Float64Array(n) : new Float32Array(n)));
  noteAllocation(a);
  return a;
}

/**
 * Host storage for n values whatever the backend (initialisers, host-side helpers): from the pool and
 * the CPU backend's allocator when the CPU is active, else a plain typed array.
 */
export function allocateHost(dtype: DType, n: number, zeroed = true): FloatArray {
  if (getBackend().deviceStorage !== true) return allocate(dtype, n, zeroed) as FloatArray;
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

export function dtypeOf(data: Storage): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

/**
 * The tensor's storage on the active backend. A tensor made on the host (a parameter initialised
 * before a device backend was chosen, a batch from the data loader) moves to the device on first use;
 * device storage cannot be read synchronously, so a CPU backend refuses it with the way out.
 */
export function storageOf(t: Tensor): Storage {
  const s = t.storage;
  const be = getBackend();
  if (be.deviceStorage === true) {
    if (!isDeviceArray(s)) t.moveTo(be.upload(s));
    return t.storage;
  }
  if (isDeviceArray(s))
    throw new ArgumentError(
      `tensor ${fmtShape(t.shape)} lives on a device but the active backend is '${be.name}': read it with await t.read() first`,
    );
  return s;
}

/** Whether the active backend keeps tensors on a device (then nothing may be read synchronously). */
export function deviceActive(): boolean {
  return getBackend().deviceStorage === true;
}

/** Submits the device's recorded work now (a no-op on the CPU backends): see KernelBackend.flush. */
export function flushDevice(): void {
  getBackend().flush?.();
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export class Tensor {
  readonly shape: readonly number[];
  /**
   * Contiguous C-order storage, owned by a backend (host array or device buffer). Ops never mutate
   * inputs; optimisers and batchNorm running stats update in place.
   */
  private _storage: Storage;
  requiresGrad: boolean;
  /** Gradient accumulated by backward (leaf tensors only). */
  grad: Tensor | null = null;
  /** The node that produced this tensor, or null for leaves. */
  gradFn: GradNode | null = null;

  constructor(data: Storage, shape: readonly number[], requiresGrad = false) {
    for (const d of shape)
      if (!Number.isInteger(d) || d < 0) throw new ShapeError(`Tensor: invalid shape ${fmtShape(shape)}`);
    if (shapeSize(shape) !== data.length)
      throw new ShapeError(
        `Tensor: shape ${fmtShape(shape)} needs ${shapeSize(shape)} elements, data has ${data.length}`,
      );
    this._storage = data;
    this.shape = Object.freeze([...shape]);
    this.requiresGrad = requiresGrad;
  }

  get storage(): Storage {
    return this._storage;
  }

  /** Host values, synchronously: host storage only (a device tensor says to use `await read()`). */
  get data(): FloatArray {
    const s = this._storage;
    if (isDeviceArray(s))
      throw new ArgumentError(
        `tensor ${fmtShape(this.shape)} lives on the device: read its values with await t.read()`,
      );
    return s;
  }

  /** The values as a host array, read back from the device when they live there. */
  read(): Promise<FloatArray> {
    const s = this._storage;
    return isDeviceArray(s) ? getBackend().read(s) : Promise.resolve(s);
  }

  /** Whether every value is finite: on a device the backend checks and reads back one flag. */
  async allFinite(): Promise<boolean> {
    const s = this._storage;
    return isDeviceArray(s) ? getBackend().allFinite(s) : firstNonFinite(s) < 0;
  }

  /** Copy host values into this tensor in place, wherever it lives (on a device: fresh storage, uploaded). */
  assign(values: ArrayLike<number>): void {
    const s = this._storage;
    if (values.length !== s.length)
      throw new ShapeError(`assign: ${values.length} values for a tensor of ${s.length}`);
    if (!isDeviceArray(s)) {
      s.set(values);
      return;
    }
    const be = getBackend();
    this._storage = be.upload(Float32Array.from(values));
    be.release?.(s);
  }

  /** Bring device storage back to a host array (awaited), freeing the device's copy; a no-op on the host. */
  async toHost(): Promise<void> {
    const s = this._storage;
    if (!isDeviceArray(s)) return;
    const be = getBackend();
    this._storage = Float32Array.from(await be.read(s));
    be.release?.(s);
  }

  /** Replace the storage by a copy of the same values elsewhere (a host array uploaded to the device). */
  moveTo(storage: Storage): void {
    if (storage.length !== this._storage.length)
      throw new ShapeError(`moveTo: ${storage.length} values for a tensor of ${this._storage.length}`);
    this._storage = storage;
  }

  get dtype(): DType {
    return dtypeOf(this._storage);
  }
  get size(): number {
    return this._storage.length;
  }
  get ndim(): number {
    return this.shape.length;
  }

  /** Backpropagate from this tensor; a scalar needs no `grad`. Gradients accumulate into leaves' `.grad`. */
  backward(grad?: Tensor, opts: { retainGraph?: boolean } = {}): void {
    runBackward(this, grad, opts.retainGraph ?? false);
  }

  item(): number {
    if (this.size !== 1)
      throw new ShapeError(`item: tensor of shape ${fmtShape(this.shape)} has ${this.size} elements, not 1`);
    return this.data[0]!;
  }

  /** item() for a tensor anywhere: the one value, read back. */
  async readItem(): Promise<number> {
    if (this.size !== 1)
      throw new ShapeError(
        `readItem: tensor of shape ${fmtShape(this.shape)} has ${this.size} elements, not 1`,
      );
    return (await this.read())[0]!;
  }

  /** Nested JS arrays (a number for 0-d tensors). */
  toArray(): NestedArray {
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return this.data[offset]!;
      const inner = shapeSize(this.shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[dim]!; i++) out.push(build(dim + 1, offset + i * inner));
      return out;
    };
    return build(0, 0);
  }

  /** A leaf sharing this tensor's data, outside the graph. */
  detach(): Tensor {
    return new Tensor(this._storage, this.shape, false);
  }

  /** A leaf with a copy of the data (keeps requiresGrad). */
  clone(): Tensor {
    const s = this._storage;
    if (!isDeviceArray(s)) return new Tensor(s.slice(), this.shape, this.requiresGrad);
    const copy = allocate(this.dtype, this.size, false);
    getBackend().copy(copy, s);
    return new Tensor(copy, this.shape, this.requiresGrad);
  }

  zeroGrad(): void {
    this.grad = null;
  }

  /** Drop the graph behind this tensor (and stop tracking it) so intermediates can be garbage-collected. */
  release(): void {
    this.gradFn = null;
    this.requiresGrad = false;
  }

  toFloat64(): Tensor {
    return this.dtype === 'float64' ? this : ew.cast(this, 'float64');
  }
  toFloat32(): Tensor {
    return this.dtype === 'float32' ? this : ew.cast(this, 'float32');
  }

  toString(): string {
    return `Tensor(${fmtShape(this.shape)}, ${this.dtype}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }

  // Chainable methods: thin wrappers over the free-function ops.
  add(b: Tensor | number): Tensor {
    return ew.add(this, b);
  }
  sub(b: Tensor | number): Tensor {
    return ew.sub(this, b);
  }
  mul(b: Tensor | number): Tensor {
    return ew.mul(this, b);
  }
  div(b: Tensor | number): Tensor {
    return ew.div(this, b);
  }
  neg(): Tensor {
    return ew.neg(this);
  }
  exp(): Tensor {
    return ew.exp(this);
  }
  log(): Tensor {
    return ew.log(this);
  }
  sqrt(): Tensor {
    return ew.sqrt(this);
  }
  square(): Tensor {
    return ew.square(this);
  }
  pow(p: number): Tensor {
    return ew.pow(this, p);
  }
  abs(): Tensor {
    return ew.abs(this);
  }
  relu(): Tensor {
    return act.relu(this);
  }
  sigmoid(): Tensor {
    return act.sigmoid(this);
  }
  tanh(): Tensor {
    return act.tanh(this);
  }
  matmul(b: Tensor): Tensor {
    return la.matmul(this, b);
  }
  sum(axes?: number | number[], keepdim = false): Tensor {
    return red.sum(this, axes, keepdim);
  }
  mean(axes?: number | number[], keepdim = false): Tensor {
    return red.mean(this, axes, keepdim);
  }
  reshape(shape: readonly number[]): Tensor {
    return sh.reshape(this, shape);
  }
  view(shape: readonly number[]): Tensor {
    return sh.reshape(this, shape);
  }
  flatten(startAxis = 0, endAxis = -1): Tensor {
    return sh.flatten(this, startAxis, endAxis);
  }
  transpose(axis0 = -2, axis1 = -1): Tensor {
    return sh.transpose(this, axis0, axis1);
  }
  permute(perm: readonly number[]): Tensor {
    return sh.permute(this, perm);
  }
  squeeze(axis?: number): Tensor {
    return sh.squeeze(this, axis);
  }
  unsqueeze(axis: number): Tensor {
    return sh.unsqueeze(this, axis);
  }
}

function inferShape(v: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = v;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0] as NestedArray;
    if (cur === undefined) break;
  }
  return shape;
}

function flattenNested(v: NestedArray, shape: number[], dim: number, out: number[]): void {
  if (dim === shape.length) {
    if (typeof v !== 'number') throw new ShapeError('tensor: ragged nested array');
    out.push(v);
    return;
  }
  if (!Array.isArray(v) || v.length !== shape[dim])
    throw new ShapeError(`tensor: ragged nested array at depth ${dim} (expected length ${shape[dim]})`);
  for (const x of v) flattenNested(x, shape, dim + 1, out);
}

/**
 * Make a tensor from a flat array (with `shape`, default 1-D), a nested array (shape inferred) or a
 * FloatArray (copied only when the dtype differs). float32 unless opts.dtype or a Float64Array says otherwise.
 */
export function tensor(
  values: NestedArray | FloatArray,
  shape?: readonly number[],
  opts: TensorOptions = {},
): Tensor {
  let dtype: DType = opts.dtype ?? 'float32';
  let data: FloatArray;
  if (values instanceof Float32Array || values instanceof Float64Array) {
    if (opts.dtype === undefined) dtype = dtypeOf(values);
    data =
      dtypeOf(values) === dtype
        ? values
        : dtype === 'float64'
          ? Float64Array.from(values)
          : Float32Array.from(values);
    shape ??= [values.length];
  } else {
    const inferred = inferShape(values);
    const flat: number[] = [];
    flattenNested(values, inferred, 0, flat);
    data = dtype === 'float64' ? Float64Array.from(flat) : Float32Array.from(flat);
    if (shape !== undefined && shapeSize(shape) !== flat.length)
      throw new ShapeError(`tensor: shape ${fmtShape(shape)} does not fit ${flat.length} values`);
    shape ??= inferred;
  }
  return new Tensor(data, shape, opts.requiresGrad ?? false);
}

export function full(shape: readonly number[], value: number, opts: TensorOptions = {}): Tensor {
  const data = allocate(opts.dtype ?? 'float32', shapeSize(shape));
  if (value !== 0) getBackend().fill(data, value);
  return new Tensor(data, shape, opts.requiresGrad ?? false);
}

export function zeros(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return full(shape, 0, opts);
}

export function ones(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return full(shape, 1, opts);
}

export function scalar(value: number, opts: TensorOptions = {}): Tensor {
  return full([], value, opts);
}

/** Standard normal samples from a seeded Rng. */
export function randn(shape: readonly number[], rng: Rng, opts: TensorOptions = {}): Tensor {
  const data = allocateHost(opts.dtype ?? 'float32', shapeSize(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return new Tensor(data, shape, opts.requiresGrad ?? false);
}

/** Uniform samples in [lo, hi) from a seeded Rng. */
export function rand(
  shape: readonly number[],
  rng: Rng,
  opts: TensorOptions & { lo?: number; hi?: number } = {},
): Tensor {
  const data = allocateHost(opts.dtype ?? 'float32', shapeSize(shape));
  const lo = opts.lo ?? 0;
  const hi = opts.hi ?? 1;
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform(lo, hi);
  return new Tensor(data, shape, opts.requiresGrad ?? false);
}

export function assertSameDtype(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype)
    throw new ArgumentError(
      `${op}: mixed dtypes ${a.dtype} ${fmtShape(a.shape)} and ${b.dtype} ${fmtShape(b.shape)}; convert with toFloat32()/toFloat64()`,
    );
}
