/**
 * The one epoch loop behind pretraining, fine-tuning and every other trained protocol: seeded
 * shuffling, learning rate set once per epoch from a schedule, NaN/Inf guard on every loss and
 * gradient, a progress bar with rate and ETA, a JSONL log, and an atomic checkpoint after every
 * epoch from which `resume` continues bit-identically.
 *
 * On a device backend (WebGPU) nothing is read synchronously: each step is submitted as soon as it is
 * recorded, so the device runs it while the host draws the next batch's augmentation and masks; the
 * steps' losses are read together every `readEvery` steps and at each epoch's end (pending.ts), and
 * the NaN guard then checks the weights on the device (device-finite.ts). A window's reads are awaited
 * only at the next window, so the device's queue never drains mid-epoch. The numbers are the CPU
 * loop's, in the same order.
 *
 * The checkpoint, the log and the progress bar need Node (../node/run-files.ts, imported only when
 * one is asked for): without either path the loop runs in browsers too (the bar is drawn by default in
 * Node only; asking for one of them in a browser throws NodeOnlyError saying so).
 */
import {
  deviceActive,
  firstNonFinite,
  flushDevice,
  type LrSchedule,
  type Module,
  type Optimizer,
  Tensor,
} from '@asma/autodiff';
import { NonFiniteEnergyError } from '@asma/masking';
import { isNodeRuntime, loadNodeOnly, type Rng } from '@asma/util';
import { epochBatches } from '../data/dataset.js';
import { checkWeightsOnDevice } from './device-finite.js';
import { NonFiniteError } from './errors.js';
import { type Observe, type PendingStep, type ReadStep, readPending } from './pending.js';

export interface StepResult {
  loss: Tensor;
  /** Loss terms to log per epoch: numbers or scalar tensors (read with the loss). */
  parts?: Record<string, number | Tensor>;
  /** A tensor whose values the caller wants once the step has run (read with the loss on a device). */
  observe?: Observe;
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
  /**
   * On a device backend: seconds the host waited mid-epoch for reads of a window of steps ago. Above 0,
   * the device was still a window behind the host when it was asked: it had queued work, it did not
   * wait for the data. Near 0, the host (data, augmentation, masking, recording) is the slower side.
   */
  deviceWait?: number;
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
  /**
   * Identifies the run; a checkpoint of another configuration is not resumed. A larger or smaller
   * `epochs` is resumed when the schedule gives the finished epochs the learning rates they had.
   */
  config?: Record<string, unknown>;
  /** Content hashes of the data and every input model (see fingerprint.ts); a resume must match them. */
  inputs?: Record<string, string>;
  /** Where the examples come from (a file), for messages that name one of its clips. */
  source?: string;
  /** JSON-lines log, one record per epoch (null for none). */
  log?: string | null;
  /** Progress bar label; false for no bar. */
  progress?: string | false;
  /** Called after each epoch's training (module in train mode on return); values go into the record. */
  evaluate?: (epoch: number) => Record<string, number> | Promise<Record<string, number>>;
  /** On a device backend, steps between reads of the losses (default 16; each epoch's end reads too). */
  readEvery?: number;
  /** Called after each epoch, after its checkpoint is written. */
  onEpoch?: (record: EpochRecord) => void;
}

export interface FitResult {
  history: EpochRecord[];
  /** First epoch run by this call (> 0 after a resume). */
  startEpoch: number;
}

/** Throw NonFiniteError if any gradient of `module` holds NaN or Inf. */
export function checkGradients(
  module: Module,
  epoch: number,
  step: number,
  checkpoint: string | null = null,
): void {
  for (const [name, p] of module.namedParameters()) {
    const g = p.grad;
    if (g === null) continue;
    const i = firstNonFinite(g.data);
    if (i >= 0)
      throw new NonFiniteError(
        epoch,
        step,
        `gradient of ${name}`,
        `holds ${g.data[i]} at element ${i}`,
        checkpoint,
      );
  }
}

/**
 * Throw NonFiniteError for a parameter the optimiser step left non-finite (`stepped`, what
 * Optimizer.step returned) or a float buffer (BatchNorm's running statistics, updated in the forward
 * pass) holding NaN or Inf. Buffers are a few numbers per channel, so this pass is cheap.
 */
export function checkWeights(
  module: Module,
  stepped: Tensor | null,
  epoch: number,
  step: number,
  checkpoint: string | null = null,
): void {
  if (stepped !== null) {
    const name = module.namedParameters().find(([, p]) => p === stepped)?.[0] ?? 'a parameter';
    const i = firstNonFinite(stepped.data);
    throw new NonFiniteError(
      epoch,
      step,
      `parameter ${name}`,
      `holds ${stepped.data[i]} at element ${i} after the optimiser step`,
      checkpoint,
    );
  }
  for (const [name, b] of module.namedBuffers()) {
    if (!(b instanceof Tensor)) continue;
    const i = firstNonFinite(b.data);
    if (i >= 0)
      throw new NonFiniteError(
        epoch,
        step,
        `buffer ${name}`,
        `holds ${b.data[i]} at element ${i}`,
        checkpoint,
      );
  }
}

/**
 * Whether a checkpoint of a `saved`-epoch run may continue as an `epochs`-epoch run: refused (the
 * reason) when it has finished more epochs than that; otherwise allowed, with a note on stderr when
 * the schedule gives a finished epoch another learning rate than it had (the schedule is then
 * recomputed for the new length from the next epoch on, so the run differs from an uninterrupted one).
 */
function scheduleExtends(
  schedule: LrSchedule,
  saved: number,
  epochs: number,
  history: EpochRecord[],
): string | null {
  if (history.length > epochs)
    return `--epochs ${epochs} is below the ${history.length} epochs the checkpoint has finished`;
  const changed = history.find((h) => schedule.lrAt(h.epoch) !== h.lr);
  process.stderr.write(
    `resume: extending a ${saved}-epoch run to ${epochs} epochs` +
      (changed === undefined
        ? ' (the finished epochs keep their learning rates: same as an uninterrupted run)\n'
        : `; the learning-rate schedule is recomputed for ${epochs} epochs from epoch ${history.length} on (epoch ${changed.epoch} ran at ${changed.lr}, the new schedule gives ${schedule.lrAt(changed.epoch)}), so results differ from an uninterrupted ${epochs}-epoch run\n`),
  );
  return null;
}

export async function fit(o: FitOptions): Promise<FitResult> {
  const config = o.config ?? {};
  const checkpoint = o.checkpoint ?? null;
  // Node's half (files, the terminal bar), loaded only when asked for: see the note above. The bar is
  // drawn by default in Node only.
  const drawBar = o.progress !== false && (o.progress !== undefined || isNodeRuntime());
  const files =
    checkpoint !== null || o.log || drawBar
      ? await loadNodeOnly(
          'fit with a checkpoint, a log or a progress bar',
          'pass progress: false and no checkpoint or log',
          () => import('../node/run-files.js'),
        )
      : null;
  let history: EpochRecord[] = [];
  let startEpoch = 0;
  if (checkpoint !== null) files!.prepareCheckpoint(checkpoint);
  if (o.resume && checkpoint !== null && files!.existsSync(checkpoint)) {
    const s = files!.loadTrainState<EpochRecord>(checkpoint, o.module, o.optimizer, o.rng, config, {
      inputs: o.inputs,
      epochsChange: (saved, done) => scheduleExtends(o.schedule, saved, o.epochs, done),
    });
    history = s.history;
    startEpoch = s.epoch + 1;
  } else if (o.resume) {
    const said =
      checkpoint === null
        ? 'resume: this run writes no checkpoint; starting from scratch'
        : `resume: no checkpoint at ${checkpoint}; starting from scratch`;
    // stderr where there is one (Node), the console otherwise.
    if (isNodeRuntime()) process.stderr.write(`${said}\n`);
    else console.warn(said);
  }
  const log = o.log ? files!.openLog(o.log, startEpoch) : null;
  // The checkpoint this run resumed from or wrote (a file left by another run is not this run's to name).
  let intact: string | null = startEpoch > 0 ? checkpoint : null;
  const written = (): string | null => intact;
  const perEpoch = o.dropLast === false ? o.count : o.count - (o.count % o.batchSize);
  if (perEpoch === 0)
    throw new RangeError(
      `fit: ${o.count} examples give no full batch of ${o.batchSize}; lower the batch size`,
    );
  const bar =
    drawBar && o.progress !== false
      ? new files!.ProgressBar((o.epochs - startEpoch) * perEpoch, {
          label: o.progress ?? 'train',
          unit: 'samples',
        })
      : null;
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
    // Adds one step's numbers to the epoch's sums, in step order on either path.
    const account = (r: ReadStep): void => {
      if (!Number.isFinite(r.loss))
        throw new NonFiniteError(epoch, r.step, 'loss', `is ${r.loss}`, written());
      lossSum += r.loss * r.samples;
      samples += r.samples;
      for (const [k, v] of Object.entries(r.parts)) partSums[k] = (partSums[k] ?? 0) + v * r.samples;
      bar?.tick(r.samples, `epoch ${epoch + 1}/${o.epochs} batch loss ${r.loss.toPrecision(4)}`);
    };
    const device = deviceActive();
    const pending: PendingStep[] = [];
    // The window of steps being read while the next one runs; the host waits for it (deviceWait)
    // only when the device is more than a window behind.
    let reading: Promise<void> | null = null;
    let deviceWait = 0;
    const settle = async (count: boolean): Promise<void> => {
      if (reading === null) return;
      const t0 = performance.now();
      const r = reading;
      reading = null;
      await r;
      if (count) deviceWait += (performance.now() - t0) / 1000;
    };
    const readBack = async (final: boolean): Promise<void> => {
      await settle(true);
      if (pending.length > 0) {
        const last = pending[pending.length - 1]!.step;
        const values = readPending(pending);
        const weights = checkWeightsOnDevice(o.module, epoch, last, written());
        reading = values.then(async (rs) => {
          for (const r of rs) account(r);
          await weights;
        });
        // Awaited at the next read; until then a failure must not count as unhandled.
        reading.catch(() => {});
        weights.catch(() => {});
      }
      // The epoch's end drains the queue (the checkpoint needs the weights): not counted as a wait.
      if (final) await settle(false);
    };
    for (const indices of batches) {
      o.optimizer.zeroGrad();
      let result: StepResult;
      try {
        result = o.step(indices, o.rng);
      } catch (err) {
        // The masking sees a batch; the clip is named by its index in the data and the step by epoch and number.
        if (err instanceof NonFiniteEnergyError)
          throw new NonFiniteError(
            epoch,
            globalStep,
            `motion energy of ${o.source ?? 'the data'} clip ${indices[err.clip]} (frame ${err.frame} after augmentation)`,
            `is ${err.value} (a coordinate too large or not finite)`,
            written(),
          );
        throw err;
      }
      const { loss, parts = {}, observe } = result;
      if (device) {
        loss.backward();
        o.optimizer.step();
        // The device runs this step while the host prepares the next batch.
        flushDevice();
        pending.push({ step: globalStep, samples: indices.length, loss: loss.detach(), parts, observe });
        globalStep++;
        if (pending.length >= (o.readEvery ?? 16)) await readBack(false);
        continue;
      }
      const value = loss.item();
      if (!Number.isFinite(value))
        throw new NonFiniteError(epoch, globalStep, 'loss', `is ${value}`, written());
      loss.backward();
      checkGradients(o.module, epoch, globalStep, written());
      const stepped = o.optimizer.step();
      checkWeights(o.module, stepped, epoch, globalStep, written());
      observe?.use(observe.tensor.data);
      const partValues: Record<string, number> = {};
      for (const [k, v] of Object.entries(parts)) partValues[k] = typeof v === 'number' ? v : v.item();
      account({ step: globalStep, samples: indices.length, loss: value, parts: partValues });
      globalStep++;
    }
    await readBack(true);
    const seconds = (performance.now() - started) / 1000;
    const metrics = o.evaluate ? await o.evaluate(epoch) : {};
    o.module.train();
    const record: EpochRecord = {
      epoch,
      lr,
      loss: lossSum / samples,
      parts: Object.fromEntries(Object.entries(partSums).map(([k, v]) => [k, v / samples])),
      samples,
      seconds,
      samplesPerSecond: samples / seconds,
      ...(device ? { deviceWait } : {}),
      metrics,
    };
    history.push(record);
    log?.write({ event: 'epoch', ...record });
    // One line per epoch with the epoch's mean loss: the only output when stderr is not a terminal.
    bar?.line(`epoch ${epoch + 1}/${o.epochs} mean loss ${record.loss.toPrecision(4)}`);
    if (checkpoint !== null)
      await files!.saveTrainState(checkpoint, o.module, o.optimizer, o.rng, {
        epoch,
        config,
        inputs: o.inputs,
        history,
      });
    intact = checkpoint;
    o.onEpoch?.(record);
  }
  bar?.finish();
  return { history, startEpoch };
}
