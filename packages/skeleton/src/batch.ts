/**
 * A batch of skeleton clips: a plain Float32Array in C order with the shape (N, C, T, V, M)
 * used by every ST-GCN code base: N clips, C = 3 coordinates (x, y, z), T frames, V joints,
 * M bodies. Element (n, c, t, v, m) lives at ((((n * C + c) * T + t) * V + v) * M + m).
 */
export type BatchShape = [n: number, c: number, t: number, v: number, m: number];

export interface SkeletonBatch {
  data: Float32Array;
  shape: BatchShape;
}

/** Alias used where a batch is a whole data set held in memory. */
export type ClipArray = SkeletonBatch;

/** A zero-filled batch of the given shape. */
export function zerosBatch(shape: BatchShape): SkeletonBatch {
  return { data: new Float32Array(shape.reduce((a, b) => a * b, 1)), shape: [...shape] };
}

/** Throw a clear error if `data.length` does not match `shape`. */
export function checkBatch(batch: SkeletonBatch, what = 'batch'): void {
  const { data, shape } = batch;
  if (shape.length !== 5 || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new RangeError(
      `${what}: shape must be 5 non-negative integers (N, C, T, V, M), got [${shape.join(', ')}]`,
    );
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (data.length !== size) {
    throw new RangeError(
      `${what}: data has ${data.length} elements but shape [${shape.join(', ')}] needs ${size}`,
    );
  }
}

/** Flat index of (n, c, t, v, m). */
export function batchIndex(shape: BatchShape, n: number, c: number, t: number, v: number, m: number): number {
  return (((n * shape[1] + c) * shape[2] + t) * shape[3] + v) * shape[4] + m;
}

/** Clips [start, start + count) as a copy. */
export function sliceBatch(batch: SkeletonBatch, start: number, count: number): SkeletonBatch {
  const per = batch.shape[1] * batch.shape[2] * batch.shape[3] * batch.shape[4];
  return {
    data: batch.data.slice(start * per, (start + count) * per),
    shape: [count, batch.shape[1], batch.shape[2], batch.shape[3], batch.shape[4]],
  };
}
