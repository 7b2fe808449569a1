import { Rng } from '@asma/util';
import { describe, expect, it } from 'vitest';
import { applyStandardizer, fitStandardizer, trainLinearProbe } from '../src/eval/linear-probe.js';
import { clusters, splitRows } from './eval-synthetic.js';

const quiet = { progress: false } as const;

describe('trainLinearProbe', () => {
  it('separates Gaussian clusters (about 100 % on held-out clips)', async () => {
    const [train, val] = splitRows(clusters(400, 8, 4, 1), 8, 240);
    const seen: number[] = [];
    const r = await trainLinearProbe({
      ...quiet,
      features: train.features,
      labels: train.labels,
      dim: 8,
      classes: 4,
      epochs: 20,
      batchSize: 32,
      val,
      onEpoch: (e) => seen.push(e.epoch),
    });
    expect(seen).toEqual([...Array(20).keys()]);
    expect(r.history).toHaveLength(20);
    expect(r.history[0]!.lr).toBeCloseTo(0.01, 12); // PSTL: Adam 0.01, cosine from the first epoch
    expect(r.history[19]!.lr).toBeLessThan(r.history[10]!.lr);
    expect(r.history[19]!.loss).toBeLessThan(r.history[0]!.loss);
    expect(r.trainAcc).toBeGreaterThanOrEqual(0.99);
    expect(r.valAcc).toBeGreaterThanOrEqual(0.98);
    expect(r.classifier.inFeatures).toBe(8);
    expect(await r.predict(val.features)).toHaveLength(160);
  });

  it('stays near chance on held-out clips when labels are random', async () => {
    const rng = new Rng(5);
    const n = 600;
    const dim = 8;
    const features = Float32Array.from({ length: n * dim }, () => rng.normal());
    const labels = Int32Array.from({ length: n }, () => rng.int(4));
    const r = await trainLinearProbe({
      ...quiet,
      features: features.slice(0, 200 * dim),
      labels: labels.slice(0, 200),
      classes: 4,
      epochs: 30,
      batchSize: 50,
      val: { features: features.slice(200 * dim), labels: labels.slice(200) },
    });
    // Chance is 0.25; 400 held-out clips put 0.35 more than 4 standard deviations above it.
    expect(r.valAcc!).toBeLessThan(0.35);
    expect(r.valAcc!).toBeGreaterThan(0.15);
  });

  it('standardises with the training statistics and trains on badly scaled features', async () => {
    const c = clusters(200, 4, 2, 3);
    const scaled = c.features.map((v, i) => v * (i % 4 === 0 ? 1000 : 1) + 500);
    const s = fitStandardizer(scaled, 4);
    const z = applyStandardizer(scaled, s);
    for (let j = 0; j < 4; j++) {
      let m = 0;
      let q = 0;
      for (let i = 0; i < 200; i++) m += z[i * 4 + j]! / 200;
      for (let i = 0; i < 200; i++) q += (z[i * 4 + j]! - m) ** 2 / 200;
      expect(Math.abs(m)).toBeLessThan(1e-4);
      expect(q).toBeCloseTo(1, 4);
    }
    // A constant column maps to 0 instead of dividing by zero.
    const flat = applyStandardizer([3, 1, 3, 2], fitStandardizer([3, 1, 3, 2], 2));
    expect([...flat]).toEqual([0, -1, 0, 1]);
    const r = await trainLinearProbe({
      ...quiet,
      features: scaled,
      labels: c.labels,
      classes: 2,
      epochs: 10,
      standardize: true,
    });
    expect(r.standardizer).not.toBeNull();
    expect(r.trainAcc).toBeGreaterThan(0.95);
    expect(await r.predict(scaled)).toEqual(await r.predict(Float32Array.from(scaled)));
  });

  it('is deterministic: same seed, bitwise identical weights; another seed differs', async () => {
    const c = clusters(96, 6, 3, 2);
    const run = async (seed: number) =>
      (
        await trainLinearProbe({
          ...quiet,
          features: c.features,
          labels: c.labels,
          classes: 3,
          epochs: 3,
          batchSize: 16,
          seed,
        })
      ).classifier;
    const [a, b, other] = [await run(7), await run(7), await run(8)];
    expect(a.weight.data).toEqual(b.weight.data);
    expect(a.bias!.data).toEqual(b.bias!.data);
    expect(a.weight.data).not.toEqual(other.weight.data);
  });

  it('rejects bad input with errors naming the field', async () => {
    const c = clusters(20, 4, 2, 0);
    const base = { ...quiet, features: c.features, labels: c.labels, classes: 2, epochs: 1 };
    await expect(trainLinearProbe({ ...base, classes: 1 })).rejects.toThrow(
      /classes must be an integer >= 2, got 1/,
    );
    await expect(trainLinearProbe({ ...base, labels: c.labels.slice(1) })).rejects.toThrow(
      /features has 80 values, expected a positive multiple of the 19 labels/,
    );
    await expect(trainLinearProbe({ ...base, dim: 5 })).rejects.toThrow(
      /features has 80 values, expected N\*D = 20\*5 = 100/,
    );
    await expect(
      trainLinearProbe({ ...base, labels: c.labels.map((l, i) => (i === 3 ? 2 : l)) }),
    ).rejects.toThrow(/labels\[3\] = 2 is not a class index in \[0, 2\)/);
    const nan = c.features.slice();
    nan[9] = Number.NaN;
    await expect(trainLinearProbe({ ...base, features: nan })).rejects.toThrow(
      /non-finite value NaN at row 2, column 1/,
    );
    await expect(
      trainLinearProbe({ ...base, val: { features: c.features.slice(4), labels: c.labels } }),
    ).rejects.toThrow(/val.features has 76 values, expected N\*D = 20\*4 = 80/);
    await expect(trainLinearProbe({ ...base, epochs: 0 })).rejects.toThrow(
      /epochs must be a positive integer, got 0/,
    );
    await expect(trainLinearProbe({ ...base, lr: -1 })).rejects.toThrow(
      /lr must be a finite number >= 0, got -1/,
    );
    await expect(trainLinearProbe({ ...base, lr: 1e38, epochs: 2 })).rejects.toThrow(
      /epoch 1, step 1: loss is NaN/,
    );
  });
});
