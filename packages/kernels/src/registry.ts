import { cpuBackend } from './cpu/backend.js';
import type { KernelBackend, Storage } from './types.js';

// Ops hand every backend the storage it made (a CPU backend only ever sees host arrays).
let active = cpuBackend as KernelBackend<Storage>;

/** The backend autodiff dispatches every kernel to. */
export function getBackend(): KernelBackend<Storage> {
  return active;
}

/** Select the backend for subsequent kernel calls; returns the previous one. */
// biome-ignore lint/suspicious/noExplicitAny: a backend of any storage type may be registered
export function setBackend(backend: KernelBackend<any>): KernelBackend<Storage> {
  const prev = active;
  active = backend as KernelBackend<Storage>;
  return prev;
}
