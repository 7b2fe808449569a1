import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@asma/util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyShear,
  batchIndex,
  boneStream,
  cropWindow,
  flipJoints,
  motionEnergy,
  motionStream,
  NTU25,
  pstlAugment,
  randomRotate,
  rotationXYZ,
  type SkeletonBatch,
  shear,
  shearMatrix,
  spatialFlip,
  temporalCrop,
  transformCoords,
} from '../src/index.js';
import { readNpy } from '../src/node/index.js';

const FIX = join(import.meta.dirname, 'fixtures', 'augment');
const load = (name: string): SkeletonBatch => {
  const a = readNpy(join(FIX, `${name}.npy`));
  return { data: a.data as Float32Array, shape: a.shape as SkeletonBatch['shape'] };
};

function randomBatch(seed: number, shape: SkeletonBatch['shape'] = [3, 3, 12, 25, 2]): SkeletonBatch {
  const rng = new Rng(seed);
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { data, shape };
}

const maxAbsDiff = (a: Float32Array, b: Float32Array): number =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('against PSTL in PyTorch (fixed parameters)', () => {
  const x = load('input');
  const params = JSON.parse(readFileSync(join(FIX, 'params.json'), 'utf8'));
  it('temporal crop', () => {
    expect(cropWindow(x, [params.crop_start]).data).toEqual(load('crop').data);
  });
  it('shear', () => {
    const [a, b, c, d, e, f] = params.shear;
    expect(maxAbsDiff(applyShear(x, [shearMatrix(a, b, c, d, e, f)]).data, load('shear').data)).toBeLessThan(
      2e-6,
    );
  });
  it('rotation', () => {
    const [ax, ay, az] = params.degrees.map((deg: number) => (deg * Math.PI) / 180);
    expect(maxAbsDiff(transformCoords(x, [rotationXYZ(ax, ay, az)]).data, load('rotate').data)).toBeLessThan(
      2e-6,
    );
  });
  it('flip', () => {
    expect(flipJoints(x, [true]).data).toEqual(load('flip').data);
  });
});

describe('temporal crop', () => {
  it('hand computed, T = 6 (p = 1): padded = x0 x0 x1 .. x5 x5', () => {
    const x: SkeletonBatch = { data: Float32Array.from([0, 1, 2, 3, 4, 5]), shape: [1, 1, 6, 1, 1] };
    expect(Array.from(cropWindow(x, [0]).data)).toEqual([0, 0, 1, 2, 3, 4]);
    expect(Array.from(cropWindow(x, [1]).data)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(cropWindow(x, [2]).data)).toEqual([1, 2, 3, 4, 5, 5]);
    expect(() => cropWindow(x, [3])).toThrow(/outside 0..2/);
  });
  it('T = 50: p = 8, start 0 mirrors frames 7..0 in front', () => {
    const x: SkeletonBatch = {
      data: Float32Array.from({ length: 50 }, (_, i) => i),
      shape: [1, 1, 50, 1, 1],
    };
    expect(Array.from(cropWindow(x, [0]).data.subarray(0, 10))).toEqual([7, 6, 5, 4, 3, 2, 1, 0, 0, 1]);
    expect(Array.from(cropWindow(x, [16]).data.subarray(40))).toEqual([
      48, 49, 49, 48, 47, 46, 45, 44, 43, 42,
    ]);
  });
  it('T < ratio leaves the clip unchanged', () => {
    const x = randomBatch(1, [2, 3, 5, 25, 2]);
    expect(temporalCrop(x, new Rng(0)).data).toEqual(x.data);
  });
});

describe('shear and rotation', () => {
  it('shear with zero off-diagonals is the identity', () => {
    const x = randomBatch(2);
    expect(applyShear(x, [shearMatrix(0, 0, 0, 0, 0, 0)]).data).toEqual(x.data);
    expect(shear(x, new Rng(3), { amplitude: 0 }).data).toEqual(x.data);
  });
  it('shear multiplies row vectors: x = e_x maps to the first row of S', () => {
    const x: SkeletonBatch = { data: Float32Array.from([1, 0, 0]), shape: [1, 3, 1, 1, 1] };
    expect(Array.from(applyShear(x, [shearMatrix(0.5, 0.25, 0, 0, 0, 0)]).data)).toEqual([1, 0.5, 0.25]);
  });
  it('rotation preserves bone lengths (property)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.boolean(), (seed, perSample) => {
        const x = randomBatch(seed, [2, 3, 4, 25, 2]);
        const y = randomRotate(x, new Rng(seed), { perSample });
        for (let n = 0; n < 2; n++)
          for (let t = 0; t < 4; t++)
            for (const [a, b] of NTU25.bones) {
              const len = (z: SkeletonBatch): number =>
                Math.hypot(
                  ...[0, 1, 2].map(
                    (c) =>
                      z.data[batchIndex(z.shape, n, c, t, a, 0)]! -
                      z.data[batchIndex(z.shape, n, c, t, b, 0)]!,
                  ),
                );
              expect(len(y)).toBeCloseTo(len(x), 4);
            }
      }),
      { numRuns: 20 },
    );
  });
  it('rotation angles stay within 30 + 1 + 1 degrees', () => {
    const x: SkeletonBatch = { data: Float32Array.from([0, 0, 1]), shape: [1, 3, 1, 1, 1] };
    const rng = new Rng(5);
    for (let i = 0; i < 200; i++) {
      const z = randomRotate(x, rng).data[2]!;
      expect(Math.acos(Math.min(1, z))).toBeLessThanOrEqual(((30 + 2) * Math.PI) / 180);
    }
  });
});

describe('flip', () => {
  it('is an involution', () => {
    const x = randomBatch(4);
    expect(flipJoints(flipJoints(x, [true]), [true]).data).toEqual(x.data);
  });
  it('p = 0 never flips, p = 1 always flips', () => {
    const x = randomBatch(5);
    expect(spatialFlip(x, new Rng(1), { p: 0 }).data).toEqual(x.data);
    expect(spatialFlip(x, new Rng(1), { p: 1 }).data).toEqual(flipJoints(x, [true]).data);
  });
});

describe('pipeline', () => {
  it('keeps shapes, never mutates its input, is deterministic for a seed', () => {
    const x = randomBatch(6, [4, 3, 50, 25, 2]);
    const copy = x.data.slice();
    const aug = pstlAugment();
    const a = aug(x, new Rng(42));
    const b = aug(x, new Rng(42));
    const c = aug(x, new Rng(43));
    expect(a.shape).toEqual(x.shape);
    expect(a.data).toEqual(b.data);
    expect(a.data).not.toEqual(c.data);
    expect(x.data).toEqual(copy);
    expect(a.data.every(Number.isFinite)).toBe(true);
  });
  it('per batch: every clip gets the same transform; per sample: clips differ', () => {
    const one = randomBatch(7, [1, 3, 12, 25, 2]);
    const two: SkeletonBatch = { data: new Float32Array(2 * one.data.length), shape: [2, 3, 12, 25, 2] };
    two.data.set(one.data, 0);
    two.data.set(one.data, one.data.length);
    const half = one.data.length;
    const batchWise = pstlAugment()(two, new Rng(9));
    expect(batchWise.data.subarray(0, half)).toEqual(batchWise.data.subarray(half));
    const sampleWise = pstlAugment({ perSample: true })(two, new Rng(9));
    expect(sampleWise.data.subarray(0, half)).not.toEqual(sampleWise.data.subarray(half));
  });
});

describe('streams and motion energy against PSTL in PyTorch', () => {
  const x = load('input');
  it('motion and bone streams are bit-exact', () => {
    expect(motionStream(x).data).toEqual(load('motion').data);
    expect(boneStream(x).data).toEqual(load('bone').data);
  });
  it('motion energy matches the float32 reference to 1e-6 relative', () => {
    const ref = readNpy(join(FIX, 'energy.npy'));
    expect(ref.shape).toEqual([2, 12]);
    const e = motionEnergy(x);
    const r = ref.data as Float32Array;
    for (let i = 0; i < r.length; i++)
      expect(Math.abs(e[i]! - r[i]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(r[i]!)));
    expect(e[11]).toBe(0);
  });
});
