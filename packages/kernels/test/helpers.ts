/** Shared helpers for the kernel equivalence suites: seeded data and a scaled closeness check. */
import type { FloatArray } from '@asma/kernels';
import type { Rng } from '@asma/util';

export type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
export const CTORS: readonly [string, Ctor][] = [
  ['Float32Array', Float32Array],
  ['Float64Array', Float64Array],
];

export function randomArray(ctor: Ctor, size: number, rng: Rng): FloatArray {
  const a = new ctor(size);
  for (let i = 0; i < size; i++) a[i] = rng.uniform(-1, 1);
  return a;
}

export function toF64(a: FloatArray): Float64Array {
  return Float64Array.from(a);
}

export function absF64(a: FloatArray): Float64Array {
  return Float64Array.from(a, Math.abs);
}

/**
 * Relative tolerance per unit of sqrt(reduction length). float32: the cpu backend's JS path
 * accumulates in float64 and rounds into float32 once per depth block (and per k for graph
 * aggregation); its wasm SIMD path (float32 products above the size crossover) accumulates in float32.
 * On these random-signed inputs either error is a few float32 roundings (6e-8) of the magnitude sum
 * (float32 summation of random-signed terms: ~0.5 u of it, independent of k), so 1e-6 * sqrt(k)
 * covers it with margin while still catching any wrong index (errors of order 1). The wasm path's
 * worst-case bound, gamma_k, is checked on its own in gemm-wasm.test.ts. float64: summation-order
 * differences, about sqrt(k) * 1.1e-16 of the magnitude sum.
 */
export function tolerance(ctor: Ctor): number {
  return ctor === Float32Array ? 1e-6 : 1e-14;
}

/**
 * Assert |actual - expected| <= tol * sqrt(k) * (scale + 1e-30) elementwise, where scale is the
 * same product computed on absolute values (sum |a| |b|): a relative bound immune to cancellation.
 */
export function expectClose(
  actual: FloatArray,
  expected: FloatArray,
  scale: FloatArray,
  tol: number,
  k: number,
  what: string,
): void {
  if (actual.length !== expected.length)
    throw new Error(`${what}: length ${actual.length} != ${expected.length}`);
  const f = tol * Math.sqrt(Math.max(1, k));
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= f * scale[i]! + 1e-30)) {
      throw new Error(
        `${what}: element ${i}: got ${actual[i]}, expected ${expected[i]} (|diff| ${d} > ${f} * scale ${scale[i]})`,
      );
    }
  }
}
