/**
 * A training checkpoint: everything a killed run needs to continue and end with exactly the
 * weights of an uninterrupted one. One safetensors file holds the module state dict (`model.*`),
 * the optimiser moments (`optim.*`), and as JSON metadata the epoch, the data generator's state,
 * every Dropout's generator state, the run configuration and the history so far. It is written
 * atomically (temporary file + rename), so a kill never leaves a half-written checkpoint.
 */
import {
  Dropout,
  type Module,
  type Optimizer,
  optimizerStateFromSafetensors,
  optimizerStateToSafetensors,
  readSafetensors,
  type StoredTensor,
  writeSafetensors,
} from '@asma/autodiff';
import type { Rng } from '@asma/kernels';
import { CheckpointError, loadStateDictInto } from '../interop/checkpoint.js';
import { ResumeError } from './errors.js';

const META_KEY = 'asma.train';

export interface TrainState<R> {
  /** Last completed epoch (0-based). */
  epoch: number;
  /** Identifies the run; resuming with another configuration is refused. */
  config: Record<string, unknown>;
  history: R[];
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

export function saveTrainState<R>(
  path: string,
  module: Module,
  optimizer: Optimizer<{ lr: number }>,
  rng: Rng,
  state: TrainState<R>,
): void {
  const tensors = new Map<string, StoredTensor>();
  for (const [k, v] of module.stateDict()) tensors.set(`model.${k}`, v);
  const optim = optimizerStateToSafetensors(optimizer.stateDict());
  for (const [k, v] of optim.tensors) tensors.set(`optim.${k}`, v);
  const meta = {
    ...state,
    rng: rngState(rng),
    dropout: dropouts(module).map((d) => rngState(d.rng)),
  };
  writeSafetensors(path, tensors, { ...optim.metadata, [META_KEY]: JSON.stringify(meta) });
}

/** Restore module, optimiser and generators from `path`; returns the epoch, config and history. */
export function loadTrainState<R>(
  path: string,
  module: Module,
  optimizer: Optimizer<{ lr: number }>,
  rng: Rng,
  expectedConfig: Record<string, unknown>,
): TrainState<R> {
  const file = readSafetensors(path);
  const json = file.metadata[META_KEY];
  if (json === undefined)
    throw new CheckpointError(path, `has no "${META_KEY}" metadata: not a training checkpoint`);
  let meta: TrainState<R> & { rng: (number | null)[]; dropout: (number | null)[][] };
  try {
    meta = JSON.parse(json);
  } catch (err) {
    throw new CheckpointError(path, `"${META_KEY}" metadata is not valid JSON (${(err as Error).message})`);
  }
  const saved = JSON.stringify(meta.config);
  const wanted = JSON.stringify(expectedConfig);
  if (saved !== wanted)
    throw new ResumeError(
      `${path}: written by a run with config ${saved}, this run has ${wanted}; refusing to resume`,
    );
  const model = new Map<string, StoredTensor>();
  const optim = new Map<string, StoredTensor>();
  for (const [k, v] of file.tensors) {
    if (k.startsWith('model.')) model.set(k.slice(6), v);
    else if (k.startsWith('optim.')) optim.set(k.slice(6), v);
    else throw new CheckpointError(path, `unexpected tensor "${k}" (expected model.* or optim.*)`);
  }
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
  return { epoch: meta.epoch, config: meta.config, history: meta.history };
}
