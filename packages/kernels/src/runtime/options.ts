/**
 * The kernels' runtime switches in one object. Kernel worker threads hold their own copy of this
 * module, so a switch set on the calling thread alone would leave them on the old path: KernelThreads
 * sends the options at start and again on every change (see `onRuntimeOptionsChange`), and can read
 * them back from each worker (`KernelThreads.workerOptions`).
 */

/** 'auto': wasm for float32 above the crossover; 'js': never wasm; 'wasm': wasm for every float32 call. */
export type GemmPath = 'auto' | 'js' | 'wasm';

export interface RuntimeOptions {
  /** How float32 matrix products run; 'js' also keeps the direct and Winograd convolutions off. */
  gemm: GemmPath;
  /** The direct wasm kernel for stride-1 float32 convolutions (else im2col + gemm). */
  directConv: boolean;
  /** Winograd F(3, 3) for wide stride-1 convolutions (needs directConv). */
  winograd: boolean;
  /** The WebAssembly element-wise kernels (batch norm, dropout, ...) instead of the JS loops. */
  elementwiseWasm: boolean;
}

export const DEFAULT_RUNTIME_OPTIONS: Readonly<RuntimeOptions> = Object.freeze({
  gemm: 'auto',
  directConv: true,
  winograd: true,
  elementwiseWasm: true,
});

const GEMM_PATHS: readonly GemmPath[] = ['auto', 'js', 'wasm'];

let current: Readonly<RuntimeOptions> = DEFAULT_RUNTIME_OPTIONS;
const listeners = new Set<(o: Readonly<RuntimeOptions>) => void>();

/** The options every kernel reads now (a frozen snapshot: change them with setRuntimeOptions). */
export function runtimeOptions(): Readonly<RuntimeOptions> {
  return current;
}

/** Check a (partial) options object; throws naming the field and what was expected. */
export function checkRuntimeOptions(patch: Partial<RuntimeOptions>): void {
  for (const [key, value] of Object.entries(patch)) {
    if (key === 'gemm') {
      if (!GEMM_PATHS.includes(value as GemmPath))
        throw new RangeError(
          `runtime options: gemm must be one of ${GEMM_PATHS.join(', ')}, got ${String(value)}`,
        );
    } else if (key in DEFAULT_RUNTIME_OPTIONS) {
      if (typeof value !== 'boolean')
        throw new TypeError(`runtime options: ${key} must be a boolean, got ${String(value)}`);
    } else {
      throw new RangeError(
        `runtime options: unknown option '${key}' (expected ${Object.keys(DEFAULT_RUNTIME_OPTIONS).join(', ')})`,
      );
    }
  }
}

/** Change some options (on this thread and, through the listeners, every kernel worker); returns the previous ones. */
export function setRuntimeOptions(patch: Partial<RuntimeOptions>): Readonly<RuntimeOptions> {
  checkRuntimeOptions(patch);
  const prev = current;
  const next = Object.freeze({ ...current, ...patch });
  if (Object.keys(next).every((k) => next[k as keyof RuntimeOptions] === prev[k as keyof RuntimeOptions]))
    return prev;
  current = next;
  for (const fn of listeners) fn(current);
  return prev;
}

/** Call `fn` with the new options after every change; returns the function that stops it. */
export function onRuntimeOptionsChange(fn: (o: Readonly<RuntimeOptions>) => void): () => void {
  listeners.add(fn);
  return () => {
    listeners.delete(fn);
  };
}
