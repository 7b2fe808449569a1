/**
 * The compiled int8 plan must compute what the int8 reference (foldedForward 'int8', plain JS) computes,
 * for random small architectures, batches, persons and frame counts. Both quantise every conv input
 * to the same integers given the same float input; the float parts (graph aggregation, BN folded into
 * the requantisation) round differently, which can move an activation across a rounding boundary: one
 * quantisation step of one value: a case may differ by up to 2e-3 of the largest logit, and most
 * cases must agree to the bit.
 */
import { maxRelativeError, randn } from '@asma/autodiff';
import type { ClipDataset } from '@asma/trainer';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import {
  ClipShapeError,
  compileQuantized,
  foldClassifier,
  foldedForward,
  NonFiniteInputError,
  quantizeClassifier,
} from '../src/index.js';
import { randomClassifier, tinyClassifier, tinyDataset } from './helpers.js';

const arch = fc.record({
  widths: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }),
  strides: fc.array(fc.constantFrom(1, 2), { minLength: 4, maxLength: 4 }),
  kt: fc.constantFrom(1, 3, 5, 9),
  frames: fc.integer({ min: 3, max: 13 }),
  persons: fc.integer({ min: 1, max: 2 }),
  batch: fc.integer({ min: 1, max: 3 }),
  classes: fc.integer({ min: 1, max: 5 }),
  seed: fc.integer({ min: 0, max: 1000 }),
});

it('equals the int8 reference on random architectures', () => {
  const errors: number[] = [];
  fc.assert(
    fc.property(arch, (a) => {
      const { model, rng } = randomClassifier({ ...a, importance: true });
      const shape = [a.batch, 3, a.frames, 25, a.persons];
      const calib = randn([8, 3, a.frames, 25, a.persons], rng);
      const data: ClipDataset = {
        clips: { data: calib.data as Float32Array, shape: [8, 3, a.frames, 25, a.persons] },
        labels: new Int32Array(8),
        source: 'random',
      };
      const q = quantizeClassifier(model, data, { batches: 1, batchSize: 8 });
      const x = randn(shape, rng).data as Float32Array;
      const want = foldedForward(q, x, shape, 'int8');
      const plan = compileQuantized(q, { batch: a.batch, frames: a.frames, persons: a.persons });
      const got = Float32Array.from(plan.run(x, shape));
      const err = maxRelativeError(got, want);
      expect(err).toBeLessThan(2e-3);
      errors.push(err);
      expect(Array.from(plan.run(x, shape))).toEqual(Array.from(got));
    }),
    { numRuns: 30, seed: 23 },
  );
  // Crossings are rare: most cases agree to the bit (all 30 did when this was written).
  expect(errors.filter((e) => e === 0).length).toBeGreaterThanOrEqual(24);
});

it('refuses non-finite input, clips of the wrong shape and a model that is not quantised', () => {
  const model = tinyClassifier(4, 1);
  model.eval();
  const q = quantizeClassifier(model, tinyDataset({ frames: 12 }));
  const plan = compileQuantized(q, { frames: 12 });
  const x = new Float32Array(3 * 12 * 25 * 2);
  expect(plan.run(x, [1, 3, 12, 25, 2])).toHaveLength(4);
  x[7] = Number.NaN;
  expect(() => plan.run(x, [1, 3, 12, 25, 2])).toThrow(NonFiniteInputError);
  expect(() => plan.run(x, [1, 3, 12, 25, 2])).toThrow(/clip value 7 is NaN/);
  expect(() => plan.run(new Float32Array(3 * 10 * 25 * 2), [1, 3, 10, 25, 2])).toThrow(ClipShapeError);
  expect(() => compileQuantized(foldClassifier(model), { frames: 12 })).toThrow(
    /layer 0\.gcn is not quantised/,
  );
});
