// Safetensors checkpoints on disk, loaded into and saved from modules (PyTorch names, see ../interop/checkpoint.ts).
import type { Module, SafetensorsFile } from '@asma/autodiff';
import { readSafetensors, saveStateDict } from '@asma/autodiff/node';
import {
  type LoadCheckpointOptions,
  type LoadCheckpointResult,
  loadStateDictInto,
} from '../interop/checkpoint.js';

/** Load a safetensors state dict (a path or an already decoded file) into `module`. */
export function loadCheckpoint(
  module: Module,
  source: string | SafetensorsFile,
  opts: LoadCheckpointOptions = {},
): LoadCheckpointResult {
  const file = typeof source === 'string' ? readSafetensors(source) : source;
  const name = typeof source === 'string' ? source : '<safetensors>';
  return loadStateDictInto(module, file.tensors, name, opts, file.metadata);
}

/**
 * Write `module`'s state dict (parameters and buffers, PyTorch names and order, num_batches_tracked
 * as int64) to a safetensors file atomically; torch's load_state_dict(strict=True) accepts it.
 */
export function saveCheckpoint(module: Module, path: string, metadata: Record<string, string> = {}): void {
  saveStateDict(module, path, { format: 'pt', ...metadata });
}
