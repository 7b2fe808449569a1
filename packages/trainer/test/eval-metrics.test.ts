import { Linear, tensor } from '@asma/autodiff';
import { Rng } from '@asma/util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accuracy, argmaxRows, confusionMatrix, predict, predictLogits, topK } from '../src/eval/metrics.js';
import { classBalancedSubset } from '../src/eval/subset.js';

// Three clips, three classes; true labels 2, 0, 1.
const logits = tensor([
  [0.1, 0.5, 0.4], // argmax 1, label 2 is second
  [0.9, 0.0, 0.1], // argmax 0, correct
  [0.2, 0.3, 0.5], // argmax 2, label 1 is second
]);
const labels = [2, 0, 1];

describe('metrics', () => {
  it('accuracy from logits and from predictions', () => {
    expect(accuracy(logits, labels)).toBeCloseTo(1 / 3, 12);
    expect(accuracy([2, 0, 0, 1], [2, 0, 1, 1])).toBe(0.75);
    expect(() => accuracy([1, 2], [1])).toThrow(/predictions has 2 entries but labels has 1/);
    expect(() => accuracy(logits, [0, 1])).toThrow(/logits have 3 rows but labels has 2 entries/);
  });

  it('topK counts a hit when fewer than k classes score higher', () => {
    expect(topK(logits, labels, 1)).toBeCloseTo(1 / 3, 12);
    expect(topK(logits, labels, 2)).toBe(1);
    expect(topK(logits, labels, 3)).toBe(1);
    expect(() => topK(logits, labels, 4)).toThrow(/k must be an integer in \[1, 3\]/);
    expect(() => topK(logits, [0, 0, 3], 1)).toThrow(/labels\[2\] = 3 is not a class index/);
  });

  it('confusionMatrix is counts[true][predicted]', () => {
    expect(confusionMatrix(argmaxRows(logits), labels, 3)).toEqual([
      [1, 0, 0],
      [0, 0, 1],
      [0, 1, 0],
    ]);
    expect(confusionMatrix([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], 2)).toEqual([
      [1, 1],
      [1, 2],
    ]);
    expect(() => confusionMatrix([0, 2], [0, 1], 2)).toThrow(
      /predictions\[1\] = 2 is not a class index in \[0, 2\)/,
    );
  });

  it('predict applies a classifier in batches, matching one full forward', async () => {
    const lin = new Linear(2, 3, { rng: new Rng(0) });
    lin.weight.data.set([1, 0, 0, 1, -1, -1]);
    lin.bias!.data.set([0, 0, 0.5]);
    const x = Float32Array.from([3, 1, 0, 2, -1, -1, 0.1, 0.1, 5, 5]);
    expect([...(await predict(lin, x, 2))]).toEqual([0, 1, 2, 2, 0]);
    const full = lin.forward(tensor(x, [5, 2]));
    expect(predictLogits(lin, x, 3).data).toEqual(full.data);
    expect(lin.training).toBe(true); // eval mode only for the duration of predict
    await expect(predict(lin, Float32Array.of(1, 2, 3))).rejects.toThrow(
      /features must be \(N, 2\) .* got 3 values/,
    );
  });
});

describe('classBalancedSubset', () => {
  const arbLabels = fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 300 });
  const arbFraction = fc.double({ min: 0.001, max: 1, noNaN: true });

  it('takes round(fraction * n_c) clips (min 1) of every class, sorted, without repeats', () => {
    fc.assert(
      fc.property(arbLabels, arbFraction, fc.integer({ min: 0, max: 1000 }), (labs, fraction, seed) => {
        const idx = classBalancedSubset(labs, fraction, new Rng(seed));
        for (let i = 1; i < idx.length; i++) expect(idx[i]!).toBeGreaterThan(idx[i - 1]!);
        for (const i of idx) expect(i >= 0 && i < labs.length).toBe(true);
        const counts = new Map<number, number>();
        for (const l of labs) counts.set(l, (counts.get(l) ?? 0) + 1);
        const got = new Map<number, number>();
        for (const i of idx) got.set(labs[i]!, (got.get(labs[i]!) ?? 0) + 1);
        for (const [c, n] of counts) expect(got.get(c)).toBe(Math.max(1, Math.round(fraction * n)));
      }),
      { numRuns: 200 },
    );
  });

  it('is reproducible from the seed and varies with it', () => {
    const labs = Array.from({ length: 1000 }, (_, i) => i % 10);
    const a = classBalancedSubset(labs, 0.1, new Rng(3));
    expect(a).toEqual(classBalancedSubset(labs, 0.1, new Rng(3)));
    expect(a).not.toEqual(classBalancedSubset(labs, 0.1, new Rng(4)));
    expect(a).toHaveLength(100);
    expect(classBalancedSubset(labs, 0.01, new Rng(3))).toHaveLength(10); // 1 %: one clip per class
    expect([...classBalancedSubset(labs, 1, new Rng(0))]).toEqual([...labs.keys()]);
  });

  it('rejects fractions outside (0, 1] and bad labels', () => {
    for (const f of [0, -0.5, 1.5, Number.NaN])
      expect(() => classBalancedSubset([0, 1], f, new Rng(0))).toThrow(/fraction must lie in \(0, 1\]/);
    expect(() => classBalancedSubset([], 0.5, new Rng(0))).toThrow(/labels must not be empty/);
    expect(() => classBalancedSubset([0, -1], 0.5, new Rng(0))).toThrow(
      /labels\[1\] = -1 is not a class index/,
    );
  });
});
