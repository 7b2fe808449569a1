import { cpus } from 'node:os';
import { getBackend, wasmFma, wasmSimdAvailable } from '@asma/kernels';

/** The adapter of a device backend, as the line names it ('' on the CPU). */
function adapter(): string {
  const a = getBackend().adapter;
  return a === undefined ? '' : ` on ${a.vendor} ${a.architecture}`;
}

/** One line naming where the figures were measured: CPU, cores, Node, kernel backend, gemm path, threads. */
export function environmentLine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const gemm = !wasmSimdAvailable()
    ? 'JavaScript gemm'
    : `WebAssembly SIMD kernels${wasmFma() ? ' with fused multiply-add' : ''}`;
  const threads = getBackend().threads ?? 1;
  return `Measured on ${cpu} (${cpus().length} cores), Node ${process.version}, kernel backend '${getBackend().name}'${adapter()} (${gemm}, ${threads} kernel thread${threads === 1 ? '' : 's'}).`;
}
