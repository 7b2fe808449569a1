/**
 * How kernels split the batch. Per-sample kernels (forward, backward-input) give every sample the
 * same arithmetic wherever it runs. Reductions over the batch (weight and adjacency gradients) sum
 * fixed parts of it: the parts depend on the batch size only, never on the thread count, and their
 * partial results are added in part order, so one thread and many threads give bit-identical results.
 */
import type { FloatArray } from '../types.js';
import { scratchLike } from './gemm.js';

/** At most this many parts per batch reduction: enough for 8 threads, few enough to sum cheaply. */
export const REDUCTION_PARTS = 8;

/** Number of parts a reduction over n samples uses. */
export function reductionParts(n: number): number {
  return Math.max(1, Math.min(n, REDUCTION_PARTS));
}

/** Samples [start, end) of part j of `parts` over n samples (sizes differ by at most one). */
export function partRange(n: number, parts: number, j: number): [number, number] {
  return [Math.floor((j * n) / parts), Math.floor(((j + 1) * n) / parts)];
}

/** Lengths of a reduction's outputs (null: an absent output, e.g. no bias gradient). */
export function lengthsOf(outs: readonly (FloatArray | null)[]): (number | null)[] {
  return outs.map((o) => (o === null ? null : o.length));
}

/** Floats one part's partial outputs take. */
export function partialSize(lengths: readonly (number | null)[]): number {
  let size = 0;
  for (const l of lengths) size += l ?? 0;
  return size;
}

/** Views of part j's (j >= 1) partial outputs in a buffer laid out as [part 1's outputs, part 2's, ...]. */
export function partialViews(
  buf: FloatArray,
  lengths: readonly (number | null)[],
  j: number,
): (FloatArray | null)[] {
  let off = (j - 1) * partialSize(lengths);
  return lengths.map((l) => {
    if (l === null) return null;
    const v = buf.subarray(off, off + l);
    off += l;
    return v;
  });
}

/** outs += part j's partials, for j = 1 .. parts-1 in that order (the fixed summation order). */
export function addPartials(outs: readonly (FloatArray | null)[], buf: FloatArray, parts: number): void {
  const lengths = lengthsOf(outs);
  for (let j = 1; j < parts; j++) {
    const views = partialViews(buf, lengths, j);
    for (let i = 0; i < outs.length; i++) {
      const o = outs[i];
      const v = views[i];
      if (o === null || v === null || v === undefined) continue;
      for (let e = 0; e < o.length; e++) o[e] += v[e];
    }
  }
}

/** A reduction kernel over samples [n0, n1) that overwrites its outputs with their partial sum. */
export type PartKernel = (outs: (FloatArray | null)[], n0: number, n1: number) => void;

/** Scratch slot of the partial sums (tconv's column buffers use slots 0 and 1). */
const PARTIALS_SLOT = 2;

/**
 * Run a batch reduction the way the threaded backend does, on this thread: part 0 straight into
 * `outs`, parts 1.. into scratch, then add them in order.
 */
export function reduceInParts(n: number, outs: (FloatArray | null)[], part: PartKernel): void {
  const parts = reductionParts(n);
  if (parts === 1) {
    part(outs, 0, n);
    return;
  }
  const like = outs.find((o) => o !== null);
  if (like === undefined) return;
  const lengths = lengthsOf(outs);
  const buf = scratchLike(PARTIALS_SLOT, (parts - 1) * partialSize(lengths), like);
  for (let j = 0; j < parts; j++) {
    const [n0, n1] = partRange(n, parts, j);
    part(j === 0 ? outs : partialViews(buf, lengths, j), n0, n1);
  }
  addPartials(outs, buf, parts);
}
