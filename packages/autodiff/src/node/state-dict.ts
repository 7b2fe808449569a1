/**
 * Module and optimiser state in safetensors files. Module state dicts keep PyTorch's dotted names and
 * dtypes (float32 weights, int64 num_batches_tracked), so the files load in torch with
 * safetensors.torch.load_file + load_state_dict, and torch-written ones load here.
 */
import { assertFiniteTensors } from '../io/finite.js';
import { optimizerStateFromSafetensors, optimizerStateToSafetensors } from '../io/state-dict.js';
import type { Module, StateDict } from '../nn/module.js';
import type { OptimizerStateDict } from '../optim/optimizer.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';

/** Write module.stateDict() to `path` atomically, with optional string metadata; a NaN or Inf anywhere is refused. */
export function saveStateDict(module: Module, path: string, metadata?: Record<string, string>): void {
  const sd = module.stateDict();
  assertFiniteTensors(sd, path);
  writeSafetensors(path, sd, metadata);
}

/** Read a state dict (name -> Tensor | IntTensor, in file order) for Module.loadStateDict; NaN or Inf is refused. */
export function loadStateDict(path: string): StateDict {
  const tensors = readSafetensors(path).tensors;
  assertFiniteTensors(tensors, path);
  return tensors;
}

export function saveOptimizerState(sd: OptimizerStateDict, path: string): void {
  const { tensors, metadata } = optimizerStateToSafetensors(sd);
  writeSafetensors(path, tensors, metadata);
}

export function loadOptimizerState(path: string): OptimizerStateDict {
  return optimizerStateFromSafetensors(readSafetensors(path), path);
}
