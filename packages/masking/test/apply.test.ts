import { type BatchShape, batchIndex, type SkeletonBatch } from '@asma/skeleton';
import { Rng } from '@asma/util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyFrameRemoval,
  applyJointRemoval,
  applyZeroMask,
  MaskingConfigError,
  spatialSampler,
  temporalSampler,
  zeroMaskArray,
} from '../src/index.js';

const shapes = fc.tuple(
  fc.integer({ min: 1, max: 3 }),
  fc.integer({ min: 1, max: 3 }),
  fc.integer({ min: 2, max: 12 }),
  fc.integer({ min: 2, max: 9 }),
  fc.integer({ min: 1, max: 2 }),
) as fc.Arbitrary<BatchShape>;

function randomBatch(shape: BatchShape, seed: number): SkeletonBatch {
  const rng = new Rng(seed);
  return { data: Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.normal()), shape };
}

/** out[n, c, t, v, m] = x[n, c, tIdx(n, t), vIdx(v), m], element by element. */
function naiveGather(
  x: SkeletonBatch,
  outShape: BatchShape,
  tIdx: (n: number, t: number) => number,
  vIdx: (v: number) => number,
): Float32Array {
  const out = new Float32Array(outShape.reduce((a, b) => a * b));
  const [N, C, T, V, M] = outShape;
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let t = 0; t < T; t++)
        for (let v = 0; v < V; v++)
          for (let m = 0; m < M; m++)
            out[batchIndex(outShape, n, c, t, v, m)] =
              x.data[batchIndex(x.shape, n, c, tIdx(n, t), vIdx(v), m)]!;
  return out;
}

describe('removal helpers agree with a naive gather', () => {
  it('applyJointRemoval (any kept list, repeats and order included)', () => {
    fc.assert(
      fc.property(shapes, fc.integer(), fc.array(fc.nat(), { maxLength: 12 }), (shape, seed, picks) => {
        const x = randomBatch(shape, seed);
        const kept = picks.map((p) => p % shape[3]);
        const y = applyJointRemoval(x, kept);
        const outShape: BatchShape = [shape[0], shape[1], shape[2], kept.length, shape[4]];
        expect(y.shape).toEqual(outShape);
        expect(y.data).toEqual(
          naiveGather(
            x,
            outShape,
            (_, t) => t,
            (v) => kept[v]!,
          ),
        );
      }),
      { numRuns: 100, seed: 21 },
    );
  });

  it('applyFrameRemoval (per-clip frame lists)', () => {
    fc.assert(
      fc.property(shapes, fc.integer(), fc.nat(), (shape, seed, k) => {
        const x = randomBatch(shape, seed);
        const t = shape[2];
        const mask = temporalSampler({ drop: 'highest', count: k % t, randomDrops: 0 }).sampleBatch(
          x,
          new Rng(seed),
        );
        const y = applyFrameRemoval(x, mask);
        const outShape: BatchShape = [shape[0], shape[1], mask.tKeep, shape[3], shape[4]];
        expect(y.shape).toEqual(outShape);
        expect(y.data).toEqual(
          naiveGather(
            x,
            outShape,
            (n, q) => mask.kept[n * mask.tKeep + q]!,
            (v) => v,
          ),
        );
      }),
      { numRuns: 100, seed: 22 },
    );
  });

  it('applyZeroMask zeroes exactly the hidden joints and frames', () => {
    fc.assert(
      fc.property(shapes, fc.integer(), fc.boolean(), (shape, seed, perClip) => {
        const x = randomBatch(shape, seed);
        const [N, C, T, V, M] = shape;
        const rng = new Rng(seed);
        const joints = Array.from({ length: perClip ? N : 1 }, () =>
          spatialSampler({ kind: 'uniform', count: rng.int(V) }, { ...layoutOf(V) }).sample(rng),
        );
        const frames = temporalSampler({ drop: 'lowest', count: rng.int(T), randomDrops: 0 }).sampleBatch(
          x,
          rng,
        );
        const y = applyZeroMask(x, { joints: perClip ? joints : joints[0], frames });
        const hidden = zeroMaskArray(shape, { joints: perClip ? joints : joints[0], frames });
        for (let n = 0; n < N; n++)
          for (let t = 0; t < T; t++)
            for (let v = 0; v < V; v++) {
              const gone =
                joints[perClip ? n : 0]!.removed.includes(v) ||
                !Array.from(frames.kept.subarray(n * frames.tKeep, (n + 1) * frames.tKeep)).includes(t);
              expect(hidden[(n * T + t) * V + v]).toBe(gone ? 1 : 0);
              for (let c = 0; c < C; c++)
                for (let m = 0; m < M; m++) {
                  const i = batchIndex(shape, n, c, t, v, m);
                  expect(y.data[i]).toBe(gone ? 0 : x.data[i]);
                }
            }
      }),
      { numRuns: 60, seed: 23 },
    );
  });

  it('rejects masks that do not fit the batch', () => {
    const x = randomBatch([2, 3, 10, 25, 2], 1);
    expect(() => applyJointRemoval(x, [0, 25])).toThrow(/kept: joint 25 is outside 0..24/);
    const mask = temporalSampler({ drop: 'lowest', count: 2, randomDrops: 0 }).sampleBatch(x, new Rng(0));
    const y = randomBatch([3, 3, 10, 25, 2], 1);
    expect(() => applyFrameRemoval(y, mask)).toThrow(MaskingConfigError);
    expect(() => applyFrameRemoval(y, mask)).toThrow(
      /frames: mask is for 2 clips x 10 frames, the batch has 3 x 10/,
    );
    const j = spatialSampler({ kind: 'uniform', count: 2 }).sample(new Rng(0));
    expect(() => applyZeroMask(y, { joints: [j, j] })).toThrow(
      /joints: has 2 per-clip masks for a batch of 3/,
    );
  });
});

/** A minimal layout with V joints in a chain (degrees 1, 2, ..., 2, 1). */
function layoutOf(v: number) {
  return {
    name: `chain${v}`,
    numJoints: v,
    jointNames: Array.from({ length: v }, (_, j) => `j${j}`),
    bones: Array.from({ length: v - 1 }, (_, j) => [j, j + 1] as const),
    center: 0,
    flipOrder: Array.from({ length: v }, (_, j) => j),
  };
}
