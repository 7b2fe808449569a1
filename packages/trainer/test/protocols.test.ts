import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@asma/util';
import { afterAll, describe, expect, it } from 'vitest';
import { requireLabels } from '../src/data/dataset.js';
import { StGcn } from '../src/model/stgcn.js';
import { batchTensor } from '../src/pretrain/tensor.js';
import { concatFeatures, encodeClips } from '../src/protocols/encode.js';
import { evaluateClassifier, finetune, PairClassifier, semiSupervised } from '../src/protocols/finetune.js';
import { encodeWith, linearEvaluation } from '../src/protocols/linear.js';
import { tinyDataset, tinyMethod } from './pretrain-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'asma-protocols-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const train = tinyDataset({ perClass: 6 });
const val = tinyDataset({ perClass: 2, seed: 1 });
const encoder = (seed = 0) => new StGcn({ ...tinyMethod.encoder, rng: new Rng(seed) });

describe('encoding', () => {
  it('encodes in batches exactly as one forward pass', async () => {
    const e = encoder();
    const whole = await encodeClips(e, train, 1000);
    expect(await encodeClips(e, train, 5)).toEqual(whole);
    expect(whole.length).toBe(train.clips.shape[0] * 8);
  });

  it('concatenates features of several encoders per clip', async () => {
    const a = new Float32Array([1, 2, 3, 4]);
    const b = new Float32Array([5, 6, 7, 8, 9, 10]);
    expect(Array.from(concatFeatures(a, 2, b, 3))).toEqual([1, 2, 5, 6, 7, 3, 4, 8, 9, 10]);
    expect(() => concatFeatures(a, 2, b, 2)).toThrow(/rows/);
    expect((await encodeWith([encoder(0), encoder(1)], val)).dim).toBe(16);
  });
});

describe('linear evaluation', () => {
  it('trains a probe on frozen features and reports accuracies', async () => {
    const e = encoder();
    const r = await linearEvaluation({
      encoders: [e],
      train,
      val,
      epochs: 30,
      standardize: true,
      progress: false,
    });
    expect(r.dim).toBe(8);
    expect(r.trainAcc).toBeGreaterThan(0.5); // 4 classes, chance 0.25
    // valAcc is the trained probe's accuracy on the validation clips' features, recounted here.
    const labels = requireLabels(val);
    const predicted = await r.predict((await encodeWith([e], val)).features);
    expect(predicted).toHaveLength(labels.length);
    const correct = labels.filter((y, i) => predicted[i] === y).length;
    expect(r.valAcc).toBe(correct / labels.length);
    expect(r.valAcc).toBeGreaterThan(0.25); // 4 classes, chance 0.25; measured 0.625 (5 of 8)
  });
});

describe('fine-tuning', () => {
  const opts = { train, val, epochs: 3, batchSize: 8, lr: 5e-3, seed: 2, progress: false as const };

  it('learns the training clips and logs validation accuracy per epoch', async () => {
    const r = await finetune({ ...opts, encoder: encoder(), epochs: 20 });
    expect(
      r.history.map((h) => h.metrics.valAccuracy).every((a) => a !== undefined && a >= 0 && a <= 1),
    ).toBe(true);
    expect(r.history[r.history.length - 1]!.loss).toBeLessThan(r.history[0]!.loss);
    expect(await evaluateClassifier(r.model, train)).toBeGreaterThan(0.35); // chance 0.25; measured 0.5
    expect(r.valAccuracy).toBe(r.history[r.history.length - 1]!.metrics.valAccuracy);
  });

  it('resumes bit-identically', async () => {
    const full = await finetune({ ...opts, encoder: encoder(), outDir: join(dir, 'full') });
    const out = join(dir, 'killed');
    await expect(
      finetune({
        ...opts,
        encoder: encoder(),
        outDir: out,
        onEpoch: (r) => {
          if (r.epoch === 0) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    const resumed = await finetune({ ...opts, encoder: encoder(), outDir: out, resume: true });
    const w = (m: typeof full.model) =>
      [...m.stateDict()].map(([k, v]) => [k, Array.from(v.data as ArrayLike<number>, Number)]);
    expect(w(resumed.model)).toEqual(w(full.model));
  });

  it("fine-tunes a pair of encoders end to end: logits are fc over both encoders' concatenated features, and both encoders learn", async () => {
    const a = encoder(3);
    const b = encoder(4);
    const snapshot = (e: StGcn) => [...e.parameters()].map((p) => (p.data as Float32Array).slice());
    const startA = snapshot(a);
    const startB = snapshot(b);
    const r = await finetune({ ...opts, encoder: [a, b], epochs: 6 });
    expect(r.model).toBeInstanceOf(PairClassifier);
    expect([...r.model.stateDict().keys()].filter((k) => k.startsWith('fc.'))).toEqual([
      'fc.weight',
      'fc.bias',
    ]);
    expect([...r.model.stateDict().keys()].some((k) => k.startsWith('encoder_b.'))).toBe(true);
    const moved = (now: StGcn, start: Float32Array[]) =>
      [...now.parameters()].some((p, i) => (p.data as Float32Array).some((v, j) => v !== start[i]![j]));
    expect(moved(a, startA)).toBe(true);
    expect(moved(b, startB)).toBe(true);
    expect(r.history[r.history.length - 1]!.loss).toBeLessThan(r.history[0]!.loss);
    // The same logits as the classifier applied by hand to the two encoders' eval-mode features.
    r.model.eval();
    const features = concatFeatures(
      await encodeClips(a, val),
      a.outChannels,
      await encodeClips(b, val),
      b.outChannels,
    );
    const w = r.model.fc.weight.data as Float32Array;
    const bias = r.model.fc.bias!.data as Float32Array;
    const d = a.outChannels + b.outChannels;
    const logits = r.model.forward(batchTensor(val.clips)).data as Float32Array;
    const classes = bias.length;
    for (let n = 0; n < val.clips.shape[0]; n++)
      for (let k = 0; k < classes; k++) {
        let z = bias[k]!;
        for (let i = 0; i < d; i++) z += w[k * d + i]! * features[n * d + i]!;
        expect(logits[n * classes + k]).toBeCloseTo(z, 4);
      }
  });

  it('semi-supervised: fine-tunes on a class-balanced subset', async () => {
    const r = await semiSupervised({ ...opts, encoder: encoder(), fraction: 0.34, batchSize: 4 });
    expect(r.subset.length).toBe(4 * 2); // round(0.34 * 6) = 2 clips from each of 4 classes
    const labels = Array.from(r.subset, (i) => train.labels![i]!);
    for (let c = 0; c < 4; c++) expect(labels.filter((l) => l === c).length).toBe(2);
    await expect(semiSupervised({ ...opts, encoder: encoder(), fraction: 0 })).rejects.toThrow(/fraction/);
  });
});
