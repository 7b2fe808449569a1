import { Rng } from '@asma/util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FeatureInputError } from '../src/eval/features.js';
import { knnEvaluate } from '../src/eval/knn.js';

function randomSet(rng: Rng, rows: number, dim: number, classes: number) {
  return {
    features: Float32Array.from({ length: rows * dim }, () => rng.normal()),
    labels: Int32Array.from({ length: rows }, () => rng.int(classes)),
  };
}

describe('knnEvaluate', () => {
  it('k = 1 predicts the label of the most cosine-similar training row', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 6 }), (seed, dim) => {
        const rng = new Rng(seed);
        const train = randomSet(rng, 30, dim, 4);
        const val = randomSet(rng, 10, dim, 4);
        const { predictions } = knnEvaluate({ train, val, dim, classes: 4, k: 1 });
        const cos = (i: number, j: number) => {
          let dot = 0;
          let a = 0;
          let b = 0;
          for (let c = 0; c < dim; c++) {
            dot += val.features[i * dim + c]! * train.features[j * dim + c]!;
            a += val.features[i * dim + c]! ** 2;
            b += train.features[j * dim + c]! ** 2;
          }
          return dot / Math.sqrt(a * b);
        };
        for (let i = 0; i < 10; i++) {
          let best = -Infinity;
          for (let j = 0; j < 30; j++) best = Math.max(best, cos(i, j));
          // Rows within rounding of the best similarity are all nearest neighbours.
          const nearest = new Set<number>();
          for (let j = 0; j < 30; j++) if (cos(i, j) >= best - 1e-12) nearest.add(train.labels[j]!);
          expect(nearest.has(predictions[i]!), `row ${i}`).toBe(true);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('scaling rows by positive factors changes nothing (cosine), and separated clusters score 1', () => {
    const rng = new Rng(5);
    const dim = 3;
    // Class c lies near the c-th axis.
    const make = (rows: number) => {
      const labels = Int32Array.from({ length: rows }, (_, i) => i % 3);
      const features = new Float32Array(rows * dim);
      labels.forEach((l, i) => {
        for (let c = 0; c < dim; c++) features[i * dim + c] = (c === l ? 1 : 0) + 0.1 * rng.normal();
      });
      return { features, labels };
    };
    const train = make(60);
    const val = make(30);
    const a = knnEvaluate({ train, val, dim, classes: 3 });
    expect(a.accuracy).toBe(1);
    const scaled = { ...val, features: val.features.map((v, i) => v * (1 + Math.floor(i / dim))) };
    expect(Array.from(knnEvaluate({ train, val: scaled, dim, classes: 3 }).predictions)).toEqual(
      Array.from(a.predictions),
    );
  });

  it('names bad input', () => {
    const rng = new Rng(1);
    const train = randomSet(rng, 5, 2, 2);
    const val = randomSet(rng, 3, 2, 2);
    expect(() => knnEvaluate({ train, val, dim: 3, classes: 2 })).toThrow(FeatureInputError);
    expect(() =>
      knnEvaluate({ train, val: { ...val, labels: Int32Array.of(0, 1, 7) }, dim: 2, classes: 2 }),
    ).toThrow(/val.labels\[2\] = 7/);
    expect(() => knnEvaluate({ train, val, dim: 2, classes: 2, temperature: 0 })).toThrow(/temperature/);
  });
});
