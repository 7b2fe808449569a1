import { cpuBackend } from './cpu/backend.js';
import type { KernelBackend } from './types.js';

let active: KernelBackend = cpuBackend;

/** The backend autodiff dispatches heavy kernels to. */
export function getBackend(): KernelBackend {
  return active;
}

/** Select the backend for subsequent kernel calls; returns the previous one. */
export function setBackend(backend: KernelBackend): KernelBackend {
  const prev = active;
  active = backend;
  return prev;
}
