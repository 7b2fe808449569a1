/** pretrain() takes a method object: the README's "plug in your own", with the exported helpers. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@asma/autodiff';
import { readSafetensors } from '@asma/autodiff/node';
import { Rng } from '@asma/util';
import { afterAll, expect, it } from 'vitest';
import { BarlowTwinsHead, batchTensor, type PretrainMethod, pretrain, StGcn } from '../src/index.js';
import { loadStGcn } from '../src/node/index.js';
import { tinyDataset } from './pretrain-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'asma-custom-method-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Barlow Twins between a clip and the same clip with its lower body (joints 13-20, 1-based) zeroed. */
class UpperBody extends Module {
  readonly encoder: StGcn;
  readonly head: BarlowTwinsHead;
  constructor(rng: Rng) {
    super();
    const blocks = [
      { in: 3, out: 4, stride: 1, residual: false },
      { in: 4, out: 8, stride: 2, residual: true },
    ];
    this.encoder = this.registerModule('encoder', new StGcn({ rng, blocks }));
    this.head = this.registerModule('head', new BarlowTwinsHead({ rng, inFeatures: 8, width: 16 }));
  }
}

function upperBodyMethod(rng: Rng): PretrainMethod {
  const m = new UpperBody(rng);
  return {
    name: 'upper-body',
    module: m,
    encoders: [{ name: 'encoder', encoder: m.encoder }],
    loss(batch) {
      const [n, c, t, v, p] = batch.shape;
      const masked = Float32Array.from(batch.data);
      for (let i = 0; i < n * c * t; i++)
        for (let j = 12; j < 20; j++) masked.fill(0, (i * v + j) * p, (i * v + j + 1) * p);
      const a = m.encoder.forward(batchTensor(batch));
      const b = m.encoder.forward(batchTensor({ data: masked, shape: [n, c, t, v, p] }));
      const loss = m.head.forward(a, b);
      return { loss, parts: { views: loss.item() } };
    },
  };
}

it('trains a custom method object and writes its encoder, deterministically', async () => {
  const data = tinyDataset();
  const run = (out: string) =>
    pretrain({
      method: upperBodyMethod(new Rng(3)),
      data,
      epochs: 2,
      batchSize: 8,
      outDir: out,
      progress: false,
    });
  const r = await run(join(dir, 'a'));
  expect(r.method.name).toBe('upper-body');
  expect(r.history).toHaveLength(2);
  expect(r.history.every((h) => Number.isFinite(h.loss))).toBe(true);
  const { model } = loadStGcn(r.encoderFiles.encoder!);
  expect(model.outChannels).toBe(8);
  expect(readSafetensors(r.encoderFiles.encoder!).metadata['asma.method']).toBe('upper-body');
  await run(join(dir, 'b'));
  expect(
    readFileSync(join(dir, 'a', 'encoder.safetensors')).equals(
      readFileSync(join(dir, 'b', 'encoder.safetensors')),
    ),
  ).toBe(true);
});
