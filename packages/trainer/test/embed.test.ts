import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noGrad, Tensor } from '@asma/autodiff';
import { writeSafetensors } from '@asma/autodiff/node';
import { readNpy, writeNpy } from '@asma/skeleton/node';
import { Rng } from '@asma/util';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbedDataError, embed } from '../src/node/embed.js';
import { loadStGcn } from '../src/node/stgcn-checkpoint.js';
import { fixturePath, relErr } from './model-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'asma-embed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const checkpoint = fixturePath('interop-ts-stgcn.safetensors');

function clips(n: number, t: number, seed: number, float64 = false): { path: string; data: Float32Array } {
  const rng = new Rng(seed);
  const data = new Float32Array(n * 3 * t * 25 * 2);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  const path = join(dir, `clips-${n}-${t}-${seed}${float64 ? '-f8' : ''}.npy`);
  writeNpy(path, float64 ? Float64Array.from(data) : data, [n, 3, t, 25, 2]);
  return { path, data };
}

describe('embed', () => {
  it('writes eval-mode features of every clip, independent of the batch size', async () => {
    const { path, data } = clips(5, 20, 1);
    const out = join(dir, 'z.npy');
    const r = await embed(checkpoint, path, out, { batchSize: 2, progress: false });
    expect(r).toMatchObject({ clips: 5, features: 16 });
    const z = readNpy(out);
    expect(z.shape).toEqual([5, 16]);
    expect(z.dtype).toBe('<f4');
    const { model } = loadStGcn(checkpoint);
    const expected = noGrad(() => model.forward(new Tensor(data, [5, 3, 20, 25, 2])));
    expect(relErr(z.data as Float32Array, expected.data)).toBeLessThan(1e-6);
    await embed(checkpoint, path, join(dir, 'z1.npy'), { batchSize: 5, progress: false });
    expect(relErr(readNpy(join(dir, 'z1.npy')).data as Float32Array, expected.data)).toBeLessThan(1e-6);
  });

  it('reads float64 clips and any clip length', async () => {
    const { path } = clips(3, 12, 2, true);
    const out = join(dir, 'z64.npy');
    await embed(checkpoint, path, out, { progress: false });
    expect(readNpy(out).shape).toEqual([3, 16]);
  });

  it('writes an empty (0, D) array for an empty clip file', async () => {
    const empty = join(dir, 'empty.npy');
    writeNpy(empty, new Float32Array(0), [0, 3, 50, 25, 2]);
    await embed(checkpoint, empty, join(dir, 'z-empty.npy'), { progress: false });
    expect(readNpy(join(dir, 'z-empty.npy')).shape).toEqual([0, 16]);
  });

  it('names the file and the expected shape when the data does not fit', async () => {
    const bad = join(dir, 'bad.npy');
    writeNpy(bad, new Float32Array(2 * 3 * 10 * 20 * 2), [2, 3, 10, 20, 2]);
    const out = join(dir, 'never.npy');
    let err: unknown;
    try {
      await embed(checkpoint, bad, out, { progress: false });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EmbedDataError);
    expect((err as Error).message).toBe(
      `${bad}: expected clips of shape (N, 3, T, 25, M), got (2, 3, 10, 20, 2)`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('names the key and both shapes when the checkpoint does not fit, and leaves no partial output', async () => {
    const { model } = loadStGcn(checkpoint);
    const sd = model.stateDict();
    sd.set('st_gcn_networks.5.tcn.2.weight', new Tensor(new Float32Array(8 * 8 * 3), [8, 8, 3, 1]));
    const broken = join(dir, 'broken.safetensors');
    writeSafetensors(broken, sd);
    const { path } = clips(2, 20, 3);
    await expect(embed(broken, path, join(dir, 'z-broken.npy'), { progress: false })).rejects.toThrow(
      /broken\.safetensors: "st_gcn_networks\.5\.tcn\.2\.weight" has shape \[8, 8, 3, 1\] in the checkpoint but \[8, 8, 9, 1\] in StGcn/,
    );
    expect(readdirSync(dir).filter((f) => f.includes('z-broken'))).toEqual([]);
  });
});
