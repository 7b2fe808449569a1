export { Rng } from './rng.js';
export type { GraphAggArgs, KernelBackend, MatmulArgs, TconvArgs } from './types.js';
export { tconvOutLength } from './types.js';
export * from './cpu/reference.js';
export { getBackend, setBackend } from './registry.js';
