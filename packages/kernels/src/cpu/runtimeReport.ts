/** What a thread's kernels actually run with: its runtime options and the gemm those select here. */
import { type RuntimeOptions, runtimeOptions } from '../runtime/options.js';
import { wasmFma, wasmSimdAvailable } from './gemm.js';

/** The float32 gemm a thread runs above the crossover: plain JS, WebAssembly SIMD, or SIMD with fused multiply-add. */
export type GemmKind = 'js' | 'wasm-simd' | 'wasm-simd+fma';

export interface RuntimeReport {
  options: RuntimeOptions;
  gemm: GemmKind;
}

/** This thread's report (compiles the wasm kernels on first call). */
export function runtimeReport(): RuntimeReport {
  const options = { ...runtimeOptions() };
  let gemm: GemmKind = 'js';
  if (options.gemm !== 'js' && wasmSimdAvailable()) gemm = wasmFma() ? 'wasm-simd+fma' : 'wasm-simd';
  return { options, gemm };
}
