/**
 * A training checkpoint: everything a killed run needs to continue and end with exactly the
 * weights of an uninterrupted one. One safetensors file holds the module state dict (`model.*`),
 * the optimiser moments (`optim.*`), and as JSON metadata the epoch, the data generator's state,
 * every Dropout's generator state, the run configuration, the content hashes of its inputs and the
 * history so far. It is written atomically (temporary file + rename), so a kill never leaves a
 * half-written checkpoint, and carries a SHA-256 of all of that, so a flipped bit is refused.
 * The file holds host bytes whatever the backend: tensors on a device are read back (awaited) before
 * writing, so a run paused on one backend resumes on another.
 */
import { createHash } from 'node:crypto';
import {
  assertFiniteTensors,
  Dropout,
  type Module,
  type Optimizer,
  optimizerStateFromSafetensors,
  optimizerStateToSafetensors,
  type StoredTensor,
  Tensor,
} from '@asma/autodiff';
import { readSafetensors, writeSafetensors } from '@asma/autodiff/node';
import { isDeviceArray } from '@asma/kernels';
import type { Rng } from '@asma/util';
import { CheckpointError, loadStateDictInto } from '../interop/checkpoint.js';
import { ResumeError } from '../train/errors.js';

const META_KEY = 'asma.train';
const CHECKSUM_KEY = 'asma.sha256';

export interface TrainState<R> {
  /** Last completed epoch (0-based). */
  epoch: number;
  /** Identifies the run; resuming with another configuration is refused. */
  config: Record<string, unknown>;
  /** Content hashes of the data and of every input model (name -> hash); a resume must match them. */
  inputs?: Record<string, string>;
  history: R[];
}

/** What a resuming run expects of the checkpoint besides its configuration. */
export interface ResumeExpectation<R> {
  inputs?: Record<string, string>;
  /**
   * Called when only `epochs` differs: null allows the longer (or shorter) run, a string refuses
   * with that reason. Without it a different `epochs` is refused.
   */
  epochsChange?: (saved: number, history: R[]) => string | null;
}

/** Generator states as JSON-safe numbers (a missing spare normal is NaN, which JSON cannot hold). */
function rngState(rng: Rng): (number | null)[] {
  return rng.getState().map((v) => (Number.isNaN(v) ? null : v));
}
function setRngState(rng: Rng, s: (number | null)[]): void {
  rng.setState(s.map((v) => (v === null ? Number.NaN : v)));
}

function dropouts(module: Module): Dropout[] {
  return module.modulesList().filter((m): m is Dropout => m instanceof Dropout);
}

/** SHA-256 of the metadata (but the checksum) and of every tensor's name, shape and bytes, in file order. */
function checksum(tensors: Iterable<[string, StoredTensor]>, metadata: Record<string, string>): string {
  const h = createHash('sha256');
  const keys = Object.keys(metadata)
    .filter((k) => k !== CHECKSUM_KEY)
    .sort();
  h.update(JSON.stringify(keys.map((k) => [k, metadata[k]])));
  for (const [name, t] of tensors) {
    h.update(`${name}:${t.shape.join(',')}:`);
    h.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
  return h.digest('hex');
}

/** The tensor's values on the host (read back from a device; a host tensor as it is). */
async function onHost(t: StoredTensor): Promise<StoredTensor> {
  return t instanceof Tensor && isDeviceArray(t.storage) ? new Tensor(await t.read(), t.shape) : t;
}

export async function saveTrainState<R>(
  path: string,
  module: Module,
  optimizer: Optimizer<{ lr: number }>,
  rng: Rng,
  state: TrainState<R>,
): Promise<void> {
  const tensors = new Map<string, StoredTensor>();
  for (const [k, v] of module.stateDict()) tensors.set(`model.${k}`, await onHost(v));
  const optim = optimizerStateToSafetensors(await optimizer.readStateDict());
  for (const [k, v] of optim.tensors) tensors.set(`optim.${k}`, v);
  assertFiniteTensors(tensors, path);
  const meta = {
    ...state,
    rng: rngState(rng),
    dropout: dropouts(module).map((d) => rngState(d.rng)),
  };
  const metadata: Record<string, string> = { ...optim.metadata, [META_KEY]: JSON.stringify(meta) };
  metadata[CHECKSUM_KEY] = checksum(tensors, metadata);
  writeSafetensors(path, tensors, metadata);
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? 'absent' : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** The options whose values differ between two configs, one `key: saved -> now` each. */
function differences(saved: Record<string, unknown>, now: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(saved), ...Object.keys(now)])];
  return keys
    .filter((k) => JSON.stringify(saved[k]) !== JSON.stringify(now[k]))
    .map((k) => `${k}: ${show(saved[k])} in the checkpoint, ${show(now[k])} now`);
}

/** Refuse (ResumeError, one line naming what differs) unless the checkpoint's run is this run. */
function checkSameRun<R>(
  path: string,
  meta: TrainState<R>,
  config: Record<string, unknown>,
  want: ResumeExpectation<R>,
): void {
  const changed = differences(meta.config ?? {}, config);
  const onlyEpochs = changed.length === 1 && changed[0]!.startsWith('epochs:');
  if (onlyEpochs && want.epochsChange !== undefined) {
    const reason = want.epochsChange(meta.config.epochs as number, meta.history);
    if (reason !== null) throw new ResumeError(`${path}: cannot resume with another epoch count: ${reason}`);
  } else if (changed.length > 0)
    throw new ResumeError(
      `${path}: written by another run configuration (${changed.join('; ')}); refusing to resume`,
    );
  const inputs = differences(meta.inputs ?? {}, want.inputs ?? {});
  if (inputs.length > 0)
    throw new ResumeError(
      `${path}: written by a run on other inputs (${inputs.join('; ')}); refusing to resume`,
    );
}

/** Restore module, optimiser and generators from `path`; returns the epoch, config and history. */
export function loadTrainState<R>(
  path: string,
  module: Module,
  optimizer: Optimizer<{ lr: number }>,
  rng: Rng,
  expectedConfig: Record<string, unknown>,
  want: ResumeExpectation<R> = {},
): TrainState<R> {
  const file = readSafetensors(path);
  const json = file.metadata[META_KEY];
  if (json === undefined)
    throw new CheckpointError(path, `has no "${META_KEY}" metadata: not a training checkpoint`);
  const sum = file.metadata[CHECKSUM_KEY];
  if (sum === undefined)
    throw new CheckpointError(path, `has no "${CHECKSUM_KEY}" checksum (written by an older asma?)`);
  if (checksum(file.tensors, file.metadata) !== sum)
    throw new CheckpointError(path, 'SHA-256 mismatch: the checkpoint is corrupt (a changed byte)');
  let meta: TrainState<R> & { rng: (number | null)[]; dropout: (number | null)[][] };
  try {
    meta = JSON.parse(json);
  } catch (err) {
    throw new CheckpointError(path, `"${META_KEY}" metadata is not valid JSON (${(err as Error).message})`);
  }
  checkSameRun(path, meta, expectedConfig, want);
  const model = new Map<string, StoredTensor>();
  const optim = new Map<string, StoredTensor>();
  for (const [k, v] of file.tensors) {
    if (k.startsWith('model.')) model.set(k.slice(6), v);
    else if (k.startsWith('optim.')) optim.set(k.slice(6), v);
    else throw new CheckpointError(path, `unexpected tensor "${k}" (expected model.* or optim.*)`);
  }
  assertFiniteTensors(file.tensors, path);
  const drops = dropouts(module);
  if (!Array.isArray(meta.dropout) || meta.dropout.length !== drops.length)
    throw new CheckpointError(
      path,
      `holds ${meta.dropout?.length} dropout states, the model has ${drops.length}`,
    );
  const optimState = optimizerStateFromSafetensors({ tensors: optim, metadata: file.metadata }, path);
  // The model is checked (names, shapes) before it is changed; a failed resume stops the run before training.
  loadStateDictInto(module, model, path, { optional: () => false });
  optimizer.loadStateDict(optimState);
  setRngState(rng, meta.rng);
  for (const [i, d] of drops.entries()) setRngState(d.rng, meta.dropout[i]!);
  return { epoch: meta.epoch, config: meta.config, inputs: meta.inputs, history: meta.history };
}
