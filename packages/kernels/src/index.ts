export type { FloatArray, GraphAggArgs, KernelBackend, MatmulArgs, TconvArgs } from './types.js';
export { tconvOutLength } from './types.js';
export * from './cpu/reference.js';
export { getBackend, setBackend } from './registry.js';
// Shared runtime utilities used by every asma package.
export { Rng } from './util/rng.js';
export { writeFileAtomic } from './util/atomic.js';
export { formatDuration, JsonlLog, ProgressBar, type ProgressOptions } from './util/progress.js';
