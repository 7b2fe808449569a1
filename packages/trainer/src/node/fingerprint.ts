/**
 * Content hashes of what a run reads (its clips and labels, the weights it starts from), recorded in
 * its checkpoint so that a resume on other data, or with another input model, is refused.
 */
import { createHash } from 'node:crypto';
import { type Module, Tensor } from '@asma/autodiff';
import type { ClipDataset } from '../data/dataset.js';

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** SHA-256 (hex, first 16 digits: enough to tell inputs apart, short enough to read) of some arrays. */
export function contentHash(...arrays: ArrayBufferView[]): string {
  const h = createHash('sha256');
  for (const a of arrays) {
    h.update(String(a.byteLength));
    h.update(bytesOf(a));
  }
  return h.digest('hex').slice(0, 16);
}

/** The clips' values, shape and labels. */
export function datasetHash(d: ClipDataset): string {
  const shape = Int32Array.from(d.clips.shape);
  return d.labels === null ? contentHash(shape, d.clips.data) : contentHash(shape, d.clips.data, d.labels);
}

/**
 * A module's state (parameters and buffers, in state-dict order), e.g. a pretrained encoder before
 * fine-tuning; tensors on a device are read back for it.
 */
export async function moduleHash(m: Module): Promise<string> {
  const arrays: ArrayBufferView[] = [];
  for (const [, t] of m.stateDict()) arrays.push(t instanceof Tensor ? await t.read() : t.data);
  return contentHash(...arrays);
}
