import { noGrad, randn } from '@asma/autodiff';
import { Rng } from '@asma/util';
import { describe, expect, it } from 'vitest';
import {
  applyMasks,
  channelGroups,
  channelMasks,
  magnitudePrune,
  planChannelPruning,
  prunableWeights,
  prune,
  pruneChannels,
  sparsity,
} from '../src/index.js';
import { randomizeStats, tinyClassifier, tinyDataset } from './helpers.js';

const x = randn([3, 3, 12, 25, 2], new Rng(7));

describe('magnitude pruning', () => {
  it('zeroes exactly the requested fraction of the smallest weights', () => {
    const m = tinyClassifier();
    const names = prunableWeights(m);
    expect(names.some((n) => n.includes('edge_importance') || n.endsWith('bias'))).toBe(false);
    const r = magnitudePrune(m, 0.6);
    expect(r.pruned).toBe(Math.floor(0.6 * r.total));
    let zeros = 0;
    const params = new Map(m.namedParameters());
    for (const n of names)
      for (const v of params.get(n)!.data) {
        if (v === 0) zeros++;
        else expect(Math.abs(v)).toBeGreaterThanOrEqual(r.threshold);
      }
    expect(zeros).toBe(r.pruned);
  });

  it('keeps pruned weights at 0 while fine-tuning', async () => {
    const train = tinyDataset({ perClass: 4, classes: 4, frames: 12 });
    const r = await prune({
      model: tinyClassifier(),
      method: 'magnitude',
      amount: 0.5,
      train,
      epochs: 2,
      lr: 1e-2,
      batchSize: 8,
      progress: false,
    });
    expect(r.history.length).toBe(2);
    expect(r.sparsity).toBeGreaterThanOrEqual(0.5 - 1e-3);
    const params = new Map(r.model.namedParameters());
    for (const [n, mask] of r.masks!) {
      const d = params.get(n)!.data;
      mask.forEach((k, i) => {
        if (k === 0) expect(d[i]).toBe(0);
      });
    }
  });
});

describe('channel pruning', () => {
  it('groups blocks joined by identity residuals', () => {
    expect(channelGroups(tinyClassifier().encoder)).toEqual([0, 0, 1]);
  });

  it('the pruned model computes exactly what the masked original computes, and is smaller', () => {
    for (const edge of [true, false]) {
      const m = tinyClassifier(4, 3, edge);
      randomizeStats(m, 5);
      m.eval();
      const plan = planChannelPruning(m.encoder, 0.5);
      expect(plan.blocks.map((b) => [b.in, b.out])).toEqual([
        [3, 3],
        [3, 3],
        [3, 4],
      ]);
      const small = pruneChannels(m, plan);
      // Edge importance (3 x 25 x 25 per block) is not pruned; the convolutions shrink ~4x.
      const edgeParams = edge ? 3 * 3 * 25 * 25 : 0;
      expect(small.numParameters() - edgeParams).toBeLessThan((m.numParameters() - edgeParams) / 2);
      applyMasks(m, channelMasks(m, plan));
      const want = noGrad(() => m.forward(x)).data;
      const got = noGrad(() => small.forward(x)).data;
      let err = 0;
      let scale = 0;
      want.forEach((v, i) => {
        err = Math.max(err, Math.abs(v - got[i]!));
        scale = Math.max(scale, Math.abs(v));
      });
      expect(scale).toBeGreaterThan(0.1);
      expect(err / scale).toBeLessThan(1e-5);
    }
  });

  it('keeps the strongest tcn filters', () => {
    const m = tinyClassifier();
    const w = m.encoder.stateDict().get('st_gcn_networks.2.tcn.2.weight')!.data as Float32Array;
    const per = w.length / 8;
    for (const c of [1, 6]) w.fill(0, c * per, (c + 1) * per); // the two weakest filters
    const plan = planChannelPruning(m.encoder, 0.25);
    expect(plan.keep[2]).toEqual([0, 2, 3, 4, 5, 7]);
  });

  it('fine-tunes the pruned model', async () => {
    const train = tinyDataset({ perClass: 4, classes: 4, frames: 12 });
    const r = await prune({
      model: tinyClassifier(),
      method: 'channel',
      amount: 0.5,
      train,
      val: train,
      epochs: 2,
      batchSize: 8,
      progress: false,
    });
    expect(r.parametersAfter).toBeLessThan(r.parametersBefore);
    expect(r.model.encoder.plan[2]!.out).toBe(4);
    expect(r.accuracyFinetuned).toBeTypeOf('number');
    expect(sparsity(r.model)).toBeLessThan(0.5);
  });
});
