/**
 * PyTorch state dicts in safetensors files, both ways: our modules carry PyTorch's parameter and
 * buffer names, so a file written here loads in torch with load_state_dict(strict=True) and a
 * torch state dict saved as safetensors loads here. Loading is strict about parameters; buffers
 * that carry no learned state (BatchNorm's num_batches_tracked, ST-GCN's adjacency A) may be absent.
 * Reading and writing the files is Node's (../node/checkpoint.ts); this checks and loads state dicts.
 */
import { assertFiniteTensors, type IntTensor, type Module, type StateDict, Tensor } from '@asma/autodiff';

/** A checkpoint does not fit a model; the message names the file, the key(s) and the shapes. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

export interface LoadCheckpointOptions {
  /** Throw on missing or unexpected keys (default true). Shape mismatches always throw. */
  strict?: boolean;
  /**
   * Read only keys starting with this prefix, with the prefix removed (e.g. 'encoder_q.' or
   * 'module.' of wrapped training checkpoints); other keys are ignored.
   */
  prefix?: string;
  /** Keys that may be absent from the checkpoint (default: num_batches_tracked and A buffers). */
  optional?: (key: string) => boolean;
}

export interface LoadCheckpointResult {
  /** Keys copied into the model. */
  loaded: string[];
  /** Model keys absent from the checkpoint and tolerated (they keep the model's values). */
  missingOptional: string[];
  /** With strict = false: model keys the checkpoint lacks, and checkpoint keys the model lacks. */
  missingKeys: string[];
  unexpectedKeys: string[];
  metadata: Record<string, string>;
}

export function defaultOptionalKey(key: string): boolean {
  return key === 'A' || key.endsWith('.num_batches_tracked') || key === 'num_batches_tracked';
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function listKeys(items: string[], max = 8): string {
  const shown = items.slice(0, max);
  return items.length > max ? `${shown.join(', ')} and ${items.length - max} more` : shown.join(', ');
}

/** The checking half of loadCheckpoint (@asma/trainer/node), for state dicts already in memory. */
export function loadStateDictInto(
  module: Module,
  tensors: ReadonlyMap<string, Tensor | IntTensor>,
  file: string,
  opts: LoadCheckpointOptions = {},
  metadata: Record<string, string> = {},
): LoadCheckpointResult {
  const strict = opts.strict ?? true;
  const optional = opts.optional ?? defaultOptionalKey;
  const source = new Map<string, Tensor | IntTensor>();
  for (const [k, v] of tensors) {
    if (opts.prefix === undefined) source.set(k, v);
    else if (k.startsWith(opts.prefix)) source.set(k.slice(opts.prefix.length), v);
  }
  const own = module.stateDict();
  const absent = [...own.keys()].filter((k) => !source.has(k));
  const missingKeys = absent.filter((k) => !optional(k));
  const missingOptional = absent.filter((k) => optional(k));
  const unexpectedKeys = [...source.keys()].filter((k) => !own.has(k));
  if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
    const parts: string[] = [];
    if (missingKeys.length > 0)
      parts.push(`missing ${listKeys(missingKeys.map((k) => `"${k}" ${shapeText(own.get(k)!.shape)}`))}`);
    if (unexpectedKeys.length > 0)
      parts.push(
        `unexpected ${listKeys(unexpectedKeys.map((k) => `"${k}" ${shapeText(source.get(k)!.shape)}`))}`,
      );
    throw new CheckpointError(file, `does not fit ${module.constructor.name}: ${parts.join('; ')}`);
  }
  const loadable: StateDict = new Map();
  for (const [key, target] of own) {
    const src = source.get(key);
    if (src === undefined) continue;
    if (src.shape.length !== target.shape.length || src.shape.some((d, i) => d !== target.shape[i]))
      throw new CheckpointError(
        file,
        `"${key}" has shape ${shapeText(src.shape)} in the checkpoint but ${shapeText(target.shape)} in ${module.constructor.name}`,
      );
    if (src instanceof Tensor !== target instanceof Tensor)
      throw new CheckpointError(
        file,
        `"${key}" is ${src instanceof Tensor ? 'a float' : 'an integer'} tensor in the checkpoint but ${target instanceof Tensor ? 'a float' : 'an integer'} tensor in ${module.constructor.name}`,
      );
    loadable.set(key, src);
  }
  // A model holding NaN or Inf gives NaN or constant outputs downstream: refused here, naming the tensor.
  assertFiniteTensors(loadable, file);
  module.loadStateDict(loadable, { strict: false });
  return { loaded: [...loadable.keys()], missingOptional, missingKeys, unexpectedKeys, metadata };
}
