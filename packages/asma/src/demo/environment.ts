import { cpus } from 'node:os';
import { getBackend, wasmSimdAvailable } from '@asma/kernels';

/** One line naming where the figures were measured: CPU, cores, Node, kernel backend and gemm path. */
export function environmentLine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const gemm = wasmSimdAvailable() ? 'WebAssembly SIMD gemm' : 'JavaScript gemm';
  return `Measured on ${cpu} (${cpus().length} cores), Node ${process.version}, kernel backend '${getBackend().name}' (${gemm}, 1 thread).`;
}
