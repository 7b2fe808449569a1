/** Eval-mode features of every clip of an in-memory dataset (frozen encoder, no gradients). */
import { noGrad, type Tensor } from '@asma/autodiff';
import { type ClipDataset, clipCount, gatherClips } from '../data/dataset.js';
import { onHost } from '../eval/host.js';
import type { StGcn } from '../model/stgcn.js';
import { batchTensor } from '../pretrain/tensor.js';

/**
 * Run `forward` without gradients over consecutive batches of `data`; `use` gets each output, on the
 * host (read back from a device, awaited; the CPU's own array otherwise), and its first clip.
 */
export async function forEachBatch(
  data: ClipDataset,
  batchSize: number,
  forward: (x: Tensor) => Tensor,
  use: (out: Tensor, start: number) => void,
): Promise<void> {
  const n = clipCount(data);
  for (let s = 0; s < n; s += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, n - s) }, (_, i) => s + i);
    use(await onHost(noGrad(() => forward(batchTensor(gatherClips(data, idx).batch)))), s);
  }
}

/** (N, D) row-major features of `data` under `encoder` (switched to eval mode). */
export async function encodeClips(encoder: StGcn, data: ClipDataset, batchSize = 64): Promise<Float32Array> {
  encoder.eval();
  const d = encoder.outChannels;
  const out = new Float32Array(clipCount(data) * d);
  await forEachBatch(
    data,
    batchSize,
    (x) => encoder.forward(x),
    (z, s) => out.set(z.data as Float32Array, s * d),
  );
  return out;
}

/** Row-wise concatenation of (N, Da) and (N, Db) features into (N, Da + Db). */
export function concatFeatures(a: Float32Array, da: number, b: Float32Array, db: number): Float32Array {
  const n = a.length / da;
  if (!Number.isInteger(n) || b.length !== n * db)
    throw new RangeError(`concatFeatures: ${a.length / da} rows of ${da} vs ${b.length / db} rows of ${db}`);
  const out = new Float32Array(n * (da + db));
  for (let i = 0; i < n; i++) {
    out.set(a.subarray(i * da, (i + 1) * da), i * (da + db));
    out.set(b.subarray(i * db, (i + 1) * db), i * (da + db) + da);
  }
  return out;
}
