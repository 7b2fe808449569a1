/**
 * `asma embed`: eval-mode encoder features for every clip of an (N, C, T, V, M) .npy, streamed in
 * batches (the input is never loaded whole) into an (N, D) float32 .npy written atomically.
 */
import { noGrad, Tensor } from '@asma/autodiff';
import { NpyReader, NpyWriter } from '@asma/skeleton/node';
import { ProgressBar } from '@asma/util/node';
import { checkFiniteClips } from '../data/dataset.js';
import type { StGcn } from '../model/stgcn.js';
import { loadStGcn } from './stgcn-checkpoint.js';

/** The data file does not have the shape the encoder needs; names the file and both shapes. */
export class EmbedDataError extends Error {
  override name = 'EmbedDataError';
}

export interface EmbedOptions {
  /** Clips per forward pass (default 32). */
  batchSize?: number;
  /** Key prefix of the encoder inside the checkpoint (e.g. 'encoder.'). */
  prefix?: string;
  /** Show a progress bar on stderr (default true). */
  progress?: boolean;
}

export interface EmbedResult {
  clips: number;
  features: number;
  seconds: number;
}

/** Features of every clip in `dataNpy` from the encoder in `checkpoint`, written to `out`. */
export async function embed(
  checkpoint: string,
  dataNpy: string,
  out: string,
  opts: EmbedOptions = {},
): Promise<EmbedResult> {
  const { model } = loadStGcn(checkpoint, { prefix: opts.prefix });
  return embedWith(model, dataNpy, out, opts);
}

/** Same as embed() with an encoder already in memory (it is switched to eval mode). */
export async function embedWith(
  model: StGcn,
  dataNpy: string,
  out: string,
  opts: EmbedOptions = {},
): Promise<EmbedResult> {
  const batchSize = opts.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`embed: batchSize must be a positive integer, got ${batchSize}`);
  const started = performance.now();
  model.eval();
  const reader = NpyReader.open(dataNpy);
  try {
    const shape = reader.shape;
    const expected = `(N, ${model.inChannels}, T, ${model.numJoints}, M)`;
    if (
      shape.length !== 5 ||
      shape[1] !== model.inChannels ||
      shape[3] !== model.numJoints ||
      shape[2]! < 1 ||
      shape[4]! < 1
    )
      throw new EmbedDataError(`${dataNpy}: expected clips of shape ${expected}, got (${shape.join(', ')})`);
    if (reader.dtype !== '<f4' && reader.dtype !== '<f8')
      throw new EmbedDataError(`${dataNpy}: expected float32 or float64 data, got ${reader.dtype}`);
    const rows = shape[0]!;
    const rowShape = shape.slice(1);
    const writer = new NpyWriter(out, '<f4', [model.outChannels]);
    const bar = opts.progress === false ? null : new ProgressBar(rows, { label: 'embed', unit: 'clips' });
    try {
      for (let start = 0; start < rows; start += batchSize) {
        const count = Math.min(batchSize, rows - start);
        const data = reader.readRows(start, count, { asFloat32: true }) as Float32Array;
        // A NaN would come out as finite, wrong features (BatchNorm and ReLU do not propagate it everywhere).
        checkFiniteClips(data, shape, dataNpy, start);
        const x = new Tensor(data, [count, ...rowShape]);
        const z = noGrad(() => model.forward(x));
        writer.append((await z.read()) as Float32Array);
        bar?.tick(count);
      }
      writer.close();
    } catch (err) {
      writer.abort();
      throw err;
    } finally {
      bar?.finish();
    }
    return { clips: rows, features: model.outChannels, seconds: (performance.now() - started) / 1000 };
  } finally {
    reader.close();
  }
}
