import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tensor } from '@asma/autodiff';
import { Rng } from '@asma/util';
import { afterAll, describe, expect, it } from 'vitest';
import { BARLOW_TWINS_LAMBDA } from '../src/losses/barlow-twins.js';
import { loadStGcn } from '../src/node/stgcn-checkpoint.js';
import { createMethod, METHOD_NAMES } from '../src/pretrain/methods.js';
import { pretrain } from '../src/pretrain/pretrain.js';
import { NonFiniteError } from '../src/train/errors.js';
import { tinyDataset, tinyMethod } from './pretrain-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'asma-pretrain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const data = tinyDataset();

function weights(m: {
  module: { stateDict(): Map<string, { data: ArrayLike<number | bigint> }> };
}): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [k, v] of m.module.stateDict()) out.set(k, Array.from(v.data as ArrayLike<number>, Number));
  return out;
}

describe('pretraining methods', () => {
  it.each(METHOD_NAMES)('%s: a finite loss, gradients in every encoder parameter', (name) => {
    const m = createMethod(name, new Rng(1), tinyMethod);
    const { loss, parts } = m.loss(data.clips, new Rng(2));
    expect(Number.isFinite(loss.item())).toBe(true);
    expect(Object.keys(parts).length).toBeGreaterThan(0);
    loss.backward();
    for (const { encoder } of m.encoders)
      for (const [n, p] of encoder.namedParameters()) expect(p.grad, n).not.toBeNull();
  });

  it('asma has two encoders with named loss terms, pstl one', () => {
    const asma = createMethod('asma', new Rng(1), tinyMethod);
    expect(asma.encoders.map((e) => e.name)).toEqual(['encoder_a', 'encoder_b']);
    const { loss, parts } = asma.loss(data.clips, new Rng(2));
    expect(Object.keys(parts).sort()).toEqual([
      'a/spatial',
      'a/temporal',
      'b/spatial',
      'b/temporal',
      'off-diagonal',
      'on-diagonal',
      'redundancy',
    ]);
    // The four losses add up to the total, and so do the diagonal terms with the head's lambda.
    const v = (k: string) => (parts[k] as Tensor).item();
    const terms = v('a/spatial') + v('a/temporal') + v('b/spatial') + v('b/temporal');
    expect(terms).toBeCloseTo(loss.item(), 3);
    expect(v('on-diagonal') + BARLOW_TWINS_LAMBDA * v('off-diagonal')).toBeCloseTo(loss.item(), 3);
    // Four terms of width 16: the redundancy is the mean of 4 * 16 * 15 squared correlations.
    expect(v('redundancy')).toBeCloseTo(v('off-diagonal') / (4 * 16 * 15), 6);
    expect(v('redundancy')).toBeGreaterThan(0);
    expect(v('redundancy')).toBeLessThanOrEqual(1);
    expect(createMethod('pstl', new Rng(1), tinyMethod).encoders.map((e) => e.name)).toEqual(['encoder']);
  });

  it('encoder.frames sizes the masks without rejecting the shorter temporal stream', () => {
    const m = createMethod('pstl', new Rng(1), {
      ...tinyMethod,
      encoder: { ...tinyMethod.encoder, frames: 20 },
    });
    expect(Number.isFinite(m.loss(data.clips, new Rng(2)).loss.item())).toBe(true);
  });

  it('the zero-mask variant works per clip; removal per clip is refused', () => {
    const m = createMethod('asma', new Rng(1), { ...tinyMethod, maskOutput: 'zero', spatialPer: 'sample' });
    expect(Number.isFinite(m.loss(data.clips, new Rng(2)).loss.item())).toBe(true);
    expect(() => createMethod('asma', new Rng(1), { ...tinyMethod, spatialPer: 'sample' })).toThrow(
      /maskOutput 'zero'/,
    );
    expect(() => createMethod('mae', new Rng(1))).toThrow(/unknown pretraining method 'mae'/);
  });
});

describe('pretrain', () => {
  const base = {
    method: 'asma',
    data,
    epochs: 3,
    batchSize: 8,
    methodOptions: tinyMethod,
    progress: false,
  } as const;

  it('is deterministic: the same seed gives bit-identical weights', async () => {
    const a = await pretrain({ ...base, seed: 3, epochs: 2 });
    const b = await pretrain({ ...base, seed: 3, epochs: 2 });
    expect(weights(b.method)).toEqual(weights(a.method));
    const c = await pretrain({ ...base, seed: 4, epochs: 2 });
    expect(weights(c.method)).not.toEqual(weights(a.method));
  });

  it('resumes a killed run and ends with exactly the weights of an uninterrupted one', async () => {
    const full = await pretrain({ ...base, seed: 5, outDir: join(dir, 'full') });
    const out = join(dir, 'killed');
    await expect(
      pretrain({
        ...base,
        seed: 5,
        outDir: out,
        onEpoch: (r) => {
          if (r.epoch === 1) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    const resumed = await pretrain({ ...base, seed: 5, outDir: out, resume: true });
    expect(resumed.startEpoch).toBe(2);
    expect(resumed.history.map((h) => h.loss)).toEqual(full.history.map((h) => h.loss));
    expect(weights(resumed.method)).toEqual(weights(full.method));
    // The exported encoders are plain ST-GCN files.
    const { model } = loadStGcn(resumed.encoderFiles.encoder_b!);
    expect(model.outChannels).toBe(8);
  });

  it('refuses to resume a checkpoint of another configuration', async () => {
    const out = join(dir, 'other');
    await pretrain({ ...base, seed: 6, epochs: 1, outDir: out });
    await expect(
      pretrain({ ...base, seed: 6, epochs: 2, batchSize: 4, outDir: out, resume: true }),
    ).rejects.toThrow(/refusing to resume/);
  });

  it('stops on a non-finite gradient after a divergent step, naming the tensor', async () => {
    const run = () => pretrain({ ...base, method: 'pstl', lr: 1e30, warmupEpochs: 0, epochs: 2 });
    await expect(run()).rejects.toThrow(NonFiniteError);
  });
});
