/**
 * Self-supervised pretraining of one method (ASMa, PSTL, random masks or plain Barlow Twins) on an
 * unlabelled clip set, with PSTL's optimisation: Adam (lr 5e-3, weight decay 1e-5), linear warm-up
 * then cosine to 0, lr set once per epoch. Writes, under `outDir`: checkpoint.safetensors (after every
 * epoch, for --resume), one ST-GCN file per encoder (PyTorch names), and log.jsonl.
 */
import { Adam, warmupCosineLr } from '@asma/autodiff';
import { loadNodeOnly, Rng } from '@asma/util';
import { type ClipDataset, clipCount, gatherClips } from '../data/dataset.js';
import { type EpochRecord, fit } from '../train/fit.js';
import { moveToHost } from '../train/host-module.js';
import { createMethod, type MethodOptions, type PretrainMethod } from './methods.js';

export interface PretrainOptions {
  /**
   * 'asma', 'pstl', 'random' or 'barlow-twins' (built by createMethod with `methodOptions`), or a
   * method object of your own (`{ name, module, encoders, loss(batch, rng) }`; methodOptions unused).
   */
  method: string | PretrainMethod;
  data: ClipDataset;
  seed?: number;
  epochs: number;
  batchSize?: number;
  /** Adam learning rate (PSTL: 5e-3). */
  lr?: number;
  weightDecay?: number;
  /** Linear warm-up epochs (PSTL: 10; clipped to epochs - 1). */
  warmupEpochs?: number;
  methodOptions?: MethodOptions;
  /** Folder for the checkpoint, the encoders and the log (none written when absent). */
  outDir?: string;
  resume?: boolean;
  progress?: boolean;
  onEpoch?: (record: EpochRecord) => void;
  /** On a device backend, steps between reads of the losses (fit's default 16). */
  readEvery?: number;
}

export interface PretrainResult {
  method: PretrainMethod;
  history: EpochRecord[];
  /** Encoder files written (name -> path), when outDir was given. */
  encoderFiles: Record<string, string>;
  startEpoch: number;
}

export async function pretrain(o: PretrainOptions): Promise<PretrainResult> {
  // Writing files needs Node: loaded only for a run with an output folder.
  const files = o.outDir
    ? await loadNodeOnly('pretrain with an outDir', 'leave outDir out', () => import('../node/run-files.js'))
    : null;
  const out = (name: string): string | null => (files && o.outDir ? files.join(o.outDir, name) : null);
  const seed = o.seed ?? 0;
  const root = new Rng(seed);
  const methodRng = root.fork(); // forked either way, so the data order does not depend on the kind
  const method = typeof o.method === 'string' ? createMethod(o.method, methodRng, o.methodOptions) : o.method;
  const dataRng = root.fork();
  const lr = o.lr ?? 5e-3;
  const weightDecay = o.weightDecay ?? 1e-5;
  const batchSize = o.batchSize ?? 128;
  const warmup = Math.max(0, Math.min(o.warmupEpochs ?? 10, o.epochs - 1));
  const optimizer = new Adam(method.module.parameters(), { lr, weightDecay });
  // lr set once per epoch; the warm-up starts at lr / warmup so that epoch 0 trains.
  const schedule = warmupCosineLr({
    base: lr,
    warmup,
    total: o.epochs,
    warmupStartFactor: warmup > 0 ? 1 / warmup : 0,
  });
  const config = {
    method: method.name,
    seed,
    epochs: o.epochs,
    batchSize,
    lr,
    weightDecay,
    // As asked, not as clipped to epochs - 1: a longer resumed run (more epochs) differs in epochs only.
    warmup: o.warmupEpochs ?? 10,
    clips: clipCount(o.data),
    methodOptions: o.methodOptions ?? {},
  };
  const { history, startEpoch } = await fit({
    module: method.module,
    optimizer,
    schedule,
    epochs: o.epochs,
    count: clipCount(o.data),
    source: o.data.source,
    batchSize,
    rng: dataRng,
    step: (indices, rng) => method.loss(gatherClips(o.data, indices).batch, rng),
    checkpoint: out('checkpoint.safetensors'),
    resume: o.resume,
    config,
    inputs: files ? { data: files.datasetHash(o.data) } : undefined,
    log: out('log.jsonl'),
    progress: o.progress === false ? false : `pretrain ${method.name}`,
    onEpoch: o.onEpoch,
    readEvery: o.readEvery,
  });
  // The trained weights come back to the host (a no-op on the CPU) for the files and the caller.
  await moveToHost(method.module);
  const encoderFiles: Record<string, string> = {};
  if (files && o.outDir) {
    for (const { name, encoder } of method.encoders) {
      const path = files.join(o.outDir, `${name}.safetensors`);
      files.saveStGcn(encoder, path, { 'asma.method': method.name, 'asma.seed': String(seed) });
      encoderFiles[name] = path;
    }
  }
  return { method, history, encoderFiles, startEpoch };
}
