/**
 * Optimiser state as safetensors content (tensors plus JSON metadata), bit-exact both ways. The files
 * (module and optimiser state on disk) are Node's: ../node/state-dict.ts.
 */
import type { OptimizerStateDict, ParamState } from '../optim/optimizer.js';
import { Tensor } from '../tensor.js';
import { SafetensorsError, type SafetensorsFile } from './safetensors.js';

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
