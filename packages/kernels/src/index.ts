export { cpuBackend } from './cpu/backend.js';
export { type GemmPath, gemm, setGemmPath, WASM_MIN_MACS, wasmSimdAvailable } from './cpu/gemm.js';
export {
  graphAggBackwardAdjacencyCpu,
  graphAggBackwardInputCpu,
  graphAggForwardCpu,
} from './cpu/graphAgg.js';
export { matmulCpu } from './cpu/matmul.js';
export * from './cpu/reference.js';
export { tconvBackwardInputCpu, tconvBackwardWeightCpu, tconvForwardCpu } from './cpu/tconv.js';
export { getBackend, setBackend } from './registry.js';
export type { FloatArray, GraphAggArgs, KernelBackend, MatmulArgs, TconvArgs } from './types.js';
export { tconvOutLength } from './types.js';
export { writeFileAtomic } from './util/atomic.js';
export { formatDuration, JsonlLog, ProgressBar, type ProgressOptions } from './util/progress.js';
// Shared runtime utilities used by every asma package.
export { Rng } from './util/rng.js';
