/**
 * The compiled inference plan must compute the eager eval-mode classifier's logits (to float32
 * rounding: 1e-5 of the largest logit) for random small architectures, batch sizes, persons and
 * frame counts, with non-trivial BN statistics and edge importance; repeated calls must agree (no
 * state left behind in the reused buffers); a clip of another shape gets an error naming both.
 */
import { maxRelativeError, noGrad, randn, Tensor } from '@asma/autodiff';
import { ActionClassifier, StGcn, type StGcnBlockSpec } from '@asma/trainer';
import { Rng } from '@asma/util';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { ClipShapeError, compileClassifier } from '../src/index.js';
import { randomClassifier, randomizeStats, tinyClassifier } from './helpers.js';

const arch = fc.record({
  widths: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }),
  strides: fc.array(fc.constantFrom(1, 2), { minLength: 4, maxLength: 4 }),
  kt: fc.constantFrom(1, 3, 5),
  frames: fc.integer({ min: 3, max: 13 }),
  persons: fc.integer({ min: 1, max: 2 }),
  batch: fc.integer({ min: 1, max: 2 }),
  classes: fc.integer({ min: 1, max: 5 }),
  importance: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1000 }),
});

it('equals the eager model on random architectures', () => {
  fc.assert(
    fc.property(arch, (a) => {
      const { model, rng } = randomClassifier(a);
      const shape = [a.batch, 3, a.frames, 25, a.persons];
      const x = randn(shape, rng);
      const want = noGrad(() => model.forward(x)).data as Float32Array;
      const plan = compileClassifier(model, { batch: a.batch, frames: a.frames, persons: a.persons });
      const got = Float32Array.from(plan.run(x.data as Float32Array, shape));
      expect(maxRelativeError(got, want)).toBeLessThan(1e-5);
      expect(Array.from(plan.run(x.data as Float32Array, shape))).toEqual(Array.from(got));
    }),
    { numRuns: 25, seed: 17 },
  );
});

it('equals the eager model where the temporal conv takes the Winograd path (64 channels)', () => {
  const rng = new Rng(4);
  const blocks: StGcnBlockSpec[] = [
    { in: 3, out: 64, stride: 1, residual: false },
    { in: 64, out: 64, stride: 1, residual: true },
    { in: 64, out: 66, stride: 2, residual: true },
  ];
  const enc = new StGcn({ rng: rng.fork(), blocks, temporalKernel: 9, dropout: 0, edgeImportance: true });
  const model = new ActionClassifier(enc, 5, rng.fork());
  randomizeStats(model, 2);
  model.eval();
  const shape = [1, 3, 12, 25, 2];
  const x = randn(shape, rng);
  const want = noGrad(() => model.forward(x)).data as Float32Array;
  const got = compileClassifier(model, { frames: 12 }).run(x.data as Float32Array, shape);
  expect(maxRelativeError(got, want)).toBeLessThan(1e-5);
});

it('names both shapes for a clip of the wrong shape', () => {
  const model = tinyClassifier(3, 1);
  model.eval();
  const plan = compileClassifier(model, { frames: 12 });
  const x = new Float32Array(3 * 10 * 25 * 2);
  expect(() => plan.run(x, [1, 3, 10, 25, 2])).toThrow(ClipShapeError);
  expect(() => plan.run(x, [1, 3, 10, 25, 2])).toThrow(/\[1, 3, 12, 25, 2\].*got \[1, 3, 10, 25, 2\]/);
  expect(() => new Tensor(x, [1, 3, 10, 25, 2])).not.toThrow();
  // Clips of another skeleton (20 joints, 2 channels) for this 25-joint, 3-channel model.
  const other = new Float32Array(2 * 12 * 20 * 2);
  expect(() => plan.run(other, [1, 2, 12, 20, 2])).toThrow(/\[1, 3, 12, 25, 2\].*got \[1, 2, 12, 20, 2\]/);
  // The right shape with the wrong number of values.
  expect(() => plan.run(x, [1, 3, 12, 25, 2])).toThrow(/got \[1, 3, 12, 25, 2\] \(1500 values\)/);
});
