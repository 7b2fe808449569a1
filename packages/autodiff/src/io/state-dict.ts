/**
 * Module and optimiser state in safetensors files. Module state dicts keep PyTorch's dotted names and
 * dtypes (float32 weights, int64 num_batches_tracked), so the files load in torch with
 * safetensors.torch.load_file + load_state_dict, and torch-written ones load here.
 */
import type { Module, StateDict } from '../nn/module.js';
import type { OptimizerStateDict, ParamState } from '../optim/optimizer.js';
import { Tensor } from '../tensor.js';
import { assertFiniteTensors } from './finite.js';
import { readSafetensors, SafetensorsError, type SafetensorsFile, writeSafetensors } from './safetensors.js';

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

const GROUPS_KEY = 'optimizer.param_groups';
const SCALARS_KEY = 'optimizer.state_scalars';

/**
 * An optimiser state dict as safetensors content: moment buffers as tensors `state.<index>.<name>`
 * (bit-exact), hyper-parameters and scalar state (step counts) as JSON metadata (numbers round-trip
 * exactly through JSON).
 */
export function optimizerStateToSafetensors(sd: OptimizerStateDict): {
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
} {
  const tensors = new Map<string, Tensor>();
  const scalars: Record<string, Record<string, number>> = {};
  for (const [index, state] of Object.entries(sd.state)) {
    for (const [name, v] of Object.entries(state)) {
      if (typeof v === 'number') {
        scalars[index] ??= {};
        scalars[index][name] = v;
      } else tensors.set(`state.${index}.${name}`, new Tensor(v, [v.length]));
    }
  }
  return {
    tensors,
    metadata: { [GROUPS_KEY]: JSON.stringify(sd.paramGroups), [SCALARS_KEY]: JSON.stringify(scalars) },
  };
}

/** The inverse of optimizerStateToSafetensors; `file` names the source in errors. */
export function optimizerStateFromSafetensors(
  f: Pick<SafetensorsFile, 'tensors' | 'metadata'>,
  file = '<optimizer state>',
): OptimizerStateDict {
  const groupsJson = f.metadata[GROUPS_KEY];
  const scalarsJson = f.metadata[SCALARS_KEY];
  if (groupsJson === undefined || scalarsJson === undefined)
    throw new SafetensorsError(
      file,
      null,
      `metadata lacks ${GROUPS_KEY} / ${SCALARS_KEY}: not an optimiser state`,
    );
  let paramGroups: OptimizerStateDict['paramGroups'];
  let scalars: Record<string, Record<string, number>>;
  try {
    paramGroups = JSON.parse(groupsJson);
    scalars = JSON.parse(scalarsJson);
  } catch (err) {
    throw new SafetensorsError(
      file,
      null,
      `optimiser metadata is not valid JSON (${(err as Error).message})`,
    );
  }
  if (
    !Array.isArray(paramGroups) ||
    !paramGroups.every((g) => g !== null && typeof g === 'object' && Array.isArray(g.params))
  )
    throw new SafetensorsError(file, null, `${GROUPS_KEY} must be a list of groups with params`);
  const state: Record<number, ParamState> = {};
  for (const [index, values] of Object.entries(scalars)) state[Number(index)] = { ...values };
  for (const [name, t] of f.tensors) {
    const m = /^state\.(\d+)\.([A-Za-z0-9_]+)$/.exec(name);
    if (m === null)
      throw new SafetensorsError(
        file,
        name,
        'unexpected tensor in an optimiser state (expected state.<index>.<name>)',
      );
    if (!(t instanceof Tensor))
      throw new SafetensorsError(file, name, 'optimiser buffers must be float tensors');
    const index = Number(m[1]);
    state[index] ??= {};
    state[index][m[2]!] = t.data;
  }
  return { paramGroups, state };
}

export function saveOptimizerState(sd: OptimizerStateDict, path: string): void {
  const { tensors, metadata } = optimizerStateToSafetensors(sd);
  writeSafetensors(path, tensors, metadata);
}

export function loadOptimizerState(path: string): OptimizerStateDict {
  return optimizerStateFromSafetensors(readSafetensors(path), path);
}
