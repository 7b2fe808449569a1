/**
 * The one epoch loop behind pretraining, fine-tuning and every other trained protocol: seeded
 * shuffling, learning rate set once per epoch from a schedule, NaN/Inf guard on every loss and
 * gradient, a progress bar with rate and ETA, a JSONL log, and an atomic checkpoint after every
 * epoch from which `resume` continues bit-identically.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LrSchedule, Module, Optimizer, Tensor } from '@asma/autodiff';
import { JsonlLog, ProgressBar, type Rng } from '@asma/kernels';
import { epochBatches } from '../data/dataset.js';
import { NonFiniteError } from './errors.js';
import { loadTrainState, saveTrainState } from './state.js';

export interface StepResult {
  loss: Tensor;
  /** Named loss terms for the log. */
  /** Loss terms to log per epoch: numbers or scalar tensors (read once per step here). */
  parts?: Record<string, number | Tensor>;
}

export interface EpochRecord {
  epoch: number;
  lr: number;
  loss: number;
  /** Mean of each named loss term over the epoch. */
  parts: Record<string, number>;
  samples: number;
  seconds: number;
  samplesPerSecond: number;
  /** What `evaluate` returned (e.g. validation accuracy). */
  metrics: Record<string, number>;
}

export interface FitOptions {
  /** What is trained and checkpointed (parameters, buffers, dropout generators). */
  module: Module;
  optimizer: Optimizer<{ lr: number }>;
  /** Learning rate per epoch (set once at the start of each epoch). */
  schedule: LrSchedule;
  epochs: number;
  /** Examples per epoch; each epoch visits a fresh permutation of 0..count-1. */
  count: number;
  batchSize: number;
  /** Drop the last incomplete batch (default true: BatchNorm needs > 1 clip). */
  dropLast?: boolean;
  /** Loss of one batch of example indices; random draws come from `rng`. */
  step(indices: number[], rng: Rng): StepResult;
  /** Shuffling, augmentation and masking draws. Saved in checkpoints. */
  rng: Rng;
  /** Checkpoint written atomically after every epoch (null for none). */
  checkpoint?: string | null;
  /** Continue from `checkpoint` if it exists. */
  resume?: boolean;
  /** Identifies the run; a checkpoint of another configuration is not resumed. */
  config?: Record<string, unknown>;
  /** JSON-lines log, one record per epoch (null for none). */
  log?: string | null;
  /** Progress bar label; false for no bar. */
  progress?: string | false;
  /** Called after each epoch's training (module in train mode on return); values go into the record. */
  evaluate?: (epoch: number) => Record<string, number>;
  /** Called after each epoch, after its checkpoint is written. */
  onEpoch?: (record: EpochRecord) => void;
}

export interface FitResult {
  history: EpochRecord[];
  /** First epoch run by this call (> 0 after a resume). */
  startEpoch: number;
}

/** Throw NonFiniteError if any gradient of `module` holds NaN or Inf. */
export function checkGradients(module: Module, epoch: number, step: number): void {
  for (const [name, p] of module.namedParameters()) {
    const g = p.grad;
    if (g === null) continue;
    const d = g.data;
    for (let i = 0; i < d.length; i++)
      if (!Number.isFinite(d[i]!))
        throw new NonFiniteError(epoch, step, `gradient of ${name}`, `holds ${d[i]} at element ${i}`);
  }
}

export function fit(o: FitOptions): FitResult {
  const config = o.config ?? {};
  const checkpoint = o.checkpoint ?? null;
  let history: EpochRecord[] = [];
  let startEpoch = 0;
  if (checkpoint !== null) mkdirSync(dirname(checkpoint), { recursive: true });
  if (o.resume && checkpoint !== null && existsSync(checkpoint)) {
    const s = loadTrainState<EpochRecord>(checkpoint, o.module, o.optimizer, o.rng, config);
    history = s.history;
    startEpoch = s.epoch + 1;
  }
  const log = new JsonlLog(o.log ?? null);
  if (o.log) mkdirSync(dirname(o.log), { recursive: true });
  const perEpoch = o.dropLast === false ? o.count : o.count - (o.count % o.batchSize);
  if (perEpoch === 0)
    throw new RangeError(
      `fit: ${o.count} examples give no full batch of ${o.batchSize}; lower the batch size`,
    );
  const bar =
    o.progress === false
      ? null
      : new ProgressBar((o.epochs - startEpoch) * perEpoch, {
          label: o.progress ?? 'train',
          unit: 'samples',
        });
  let globalStep = history.length * Math.ceil(perEpoch / o.batchSize);
  for (let epoch = startEpoch; epoch < o.epochs; epoch++) {
    const lr = o.schedule.lrAt(epoch);
    o.optimizer.lr = lr;
    o.module.train();
    const started = performance.now();
    const batches = epochBatches(o.count, o.batchSize, o.rng.permutation(o.count), o.dropLast ?? true);
    let lossSum = 0;
    let samples = 0;
    const partSums: Record<string, number> = {};
    for (const indices of batches) {
      o.optimizer.zeroGrad();
      const { loss, parts = {} } = o.step(indices, o.rng);
      const value = loss.item();
      if (!Number.isFinite(value)) throw new NonFiniteError(epoch, globalStep, 'loss', `is ${value}`);
      loss.backward();
      checkGradients(o.module, epoch, globalStep);
      o.optimizer.step();
      globalStep++;
      lossSum += value * indices.length;
      samples += indices.length;
      for (const [k, v] of Object.entries(parts))
        partSums[k] = (partSums[k] ?? 0) + (typeof v === 'number' ? v : v.item()) * indices.length;
      bar?.tick(indices.length, `epoch ${epoch + 1}/${o.epochs} loss ${value.toPrecision(4)}`);
    }
    const seconds = (performance.now() - started) / 1000;
    const metrics = o.evaluate ? o.evaluate(epoch) : {};
    o.module.train();
    const record: EpochRecord = {
      epoch,
      lr,
      loss: lossSum / samples,
      parts: Object.fromEntries(Object.entries(partSums).map(([k, v]) => [k, v / samples])),
      samples,
      seconds,
      samplesPerSecond: samples / seconds,
      metrics,
    };
    history.push(record);
    log.write({ event: 'epoch', ...record });
    if (checkpoint !== null)
      saveTrainState(checkpoint, o.module, o.optimizer, o.rng, { epoch, config, history });
    o.onEpoch?.(record);
  }
  bar?.finish();
  return { history, startEpoch };
}
