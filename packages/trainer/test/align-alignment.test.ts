import { concat, gradCheck, layerNorm, noGrad, randn, sum, Tensor } from '@asma/autodiff';
import { Rng } from '@asma/util';
import { describe, expect, it } from 'vitest';
import { AlignmentModule, predictAlignment, trainAlignment } from '../src/align/alignment.js';
import { accuracy } from '../src/eval/metrics.js';
import { clusters, splitRows } from './eval-synthetic.js';

const quiet = { progress: false } as const;

function tiny(layerNorm = true): AlignmentModule {
  return new AlignmentModule({
    rng: new Rng(1),
    dim: 8,
    classes: 3,
    tokens: 4,
    heads: 2,
    layerNorm,
    dtype: 'float64',
  });
}

describe('AlignmentModule', () => {
  it('has torch-like parameter names and shapes', () => {
    const m = new AlignmentModule({ rng: new Rng(0), dim: 256, classes: 60 });
    expect(m.tokens).toBe(8);
    expect(m.tokenDim).toBe(32);
    expect(m.numParameters()).toBe(2 * (3 * 32 * 32 + 3 * 32 + 32 * 32 + 32) + 2 * 512 + 512 * 60 + 60);
    expect(m.namedParameters().map(([n, p]) => `${n} [${p.shape.join(',')}]`)).toEqual([
      'attn_a.in_proj_weight [96,32]',
      'attn_a.in_proj_bias [96]',
      'attn_a.out_proj.weight [32,32]',
      'attn_a.out_proj.bias [32]',
      'attn_b.in_proj_weight [96,32]',
      'attn_b.in_proj_bias [96]',
      'attn_b.out_proj.weight [32,32]',
      'attn_b.out_proj.bias [32]',
      'norm.weight [512]',
      'norm.bias [512]',
      'classifier.weight [60,512]',
      'classifier.bias [60]',
    ]);
    expect(
      new AlignmentModule({ rng: new Rng(0), dim: 16, classes: 2, heads: 1, layerNorm: false }).norm,
    ).toBeNull();
  });

  it('fuses to concat(zA, zB) when the attention outputs are zero (token order = feature order)', () => {
    const m = tiny(false);
    for (const attn of [m.attnA, m.attnB]) {
      attn.outProj.weight.data.fill(0);
      attn.outProj.bias!.data.fill(0);
    }
    const rng = new Rng(2);
    const [za, zb] = [randn([3, 8], rng, { dtype: 'float64' }), randn([3, 8], rng, { dtype: 'float64' })];
    expect(m.fuse(za, zb).data).toEqual(concat([za, zb], 1).data);
    const withNorm = tiny(true);
    for (const attn of [withNorm.attnA, withNorm.attnB]) attn.outProj.weight.data.fill(0);
    for (const attn of [withNorm.attnA, withNorm.attnB]) attn.outProj.bias!.data.fill(0);
    const expected = layerNorm(concat([za, zb], 1), [16]);
    expect(
      Math.max(...withNorm.fuse(za, zb).data.map((v, i) => Math.abs(v - expected.data[i]!))),
    ).toBeLessThan(1e-12);
  });

  it('is bidirectional: the A half of the fused features depends on zB and vice versa', () => {
    const m = tiny(false);
    const rng = new Rng(3);
    const [za, zb] = [randn([2, 8], rng, { dtype: 'float64' }), randn([2, 8], rng, { dtype: 'float64' })];
    const zb2 = new Tensor(
      zb.data.map((v) => v + 0.5),
      zb.shape,
    );
    const [f1, f2] = noGrad(() => [m.fuse(za, zb), m.fuse(za, zb2)]);
    const halfA = (f: Tensor) => [...f.data].filter((_, i) => i % 16 < 8);
    expect(halfA(f1)).not.toEqual(halfA(f2));
  });

  it('passes the float64 gradient check for zA and zB (with and without LayerNorm)', () => {
    const rng = new Rng(4);
    const inputs = [randn([3, 8], rng, { dtype: 'float64' }), randn([3, 8], rng, { dtype: 'float64' })];
    for (const ln of [true, false]) {
      const m = tiny(ln);
      gradCheck((a, b) => m.forward(a!, b!), inputs, { rtol: 1e-5, atol: 1e-7 });
    }
  });

  it('parameter gradients agree with central differences', () => {
    const m = tiny(true);
    const rng = new Rng(5);
    const [za, zb] = [randn([3, 8], rng, { dtype: 'float64' }), randn([3, 8], rng, { dtype: 'float64' })];
    const w = randn([3, 3], rng, { dtype: 'float64' });
    const objective = () => noGrad(() => sum(m.forward(za, zb).mul(w)).item());
    sum(m.forward(za, zb).mul(w)).backward();
    const eps = 1e-6;
    for (const [name, p] of m.namedParameters()) {
      for (let k = 0; k < 5; k++) {
        const j = Math.floor(((k + 0.5) * p.size) / 5);
        const orig = p.data[j]!;
        p.data[j] = orig + eps;
        const fp = objective();
        p.data[j] = orig - eps;
        const fm = objective();
        p.data[j] = orig;
        const numeric = (fp - fm) / (2 * eps);
        const analytic = p.grad!.data[j]!;
        expect(Math.abs(analytic - numeric), `${name}[${j}]`).toBeLessThan(1e-7 + 1e-5 * Math.abs(numeric));
      }
    }
  });

  it('rejects bad shapes and options with clear errors', () => {
    expect(() => new AlignmentModule({ rng: new Rng(0), dim: 10, classes: 3 })).toThrow(
      /tokens must be a positive integer dividing dim = 10 .* got 8/,
    );
    expect(() => new AlignmentModule({ rng: new Rng(0), dim: 16, classes: 3, heads: 4 })).toThrow(
      /heads must be a positive integer dividing the token size dim \/ tokens = 16 \/ 8 = 2, got 4/,
    );
    expect(() => new AlignmentModule({ rng: new Rng(0), dim: 16, classes: 1, heads: 1 })).toThrow(
      /classes must be an integer >= 2, got 1/,
    );
    const m = tiny();
    const z = randn([2, 8], new Rng(0), { dtype: 'float64' });
    expect(() => m.forward(z, randn([2, 4], new Rng(0), { dtype: 'float64' }))).toThrow(
      /zB must be \(N, 8\), got shape \[2,4\]/,
    );
    expect(() => m.forward(z, randn([3, 8], new Rng(0), { dtype: 'float64' }))).toThrow(
      /zA has 2 rows but zB has 3/,
    );
  });
});

describe('trainAlignment', () => {
  // Two "encoders": A sees the class clusters, B a rotated, noisier copy of the same clips.
  const dim = 16;
  const all = clusters(300, dim, 4, 11, 2);
  const rot = clusters(300, dim, 4, 12, 1);
  const b = { features: all.features.map((v, i) => 0.5 * v + rot.features[i]!), labels: all.labels };
  const [trainA, valA] = splitRows(all, dim, 200);
  const [trainB, valB] = splitRows(b, dim, 200);
  const base = {
    ...quiet,
    featuresA: trainA.features,
    featuresB: trainB.features,
    labels: trainA.labels,
    classes: 4,
    tokens: 4,
    heads: 2,
    epochs: 15,
    batchSize: 32,
    lr: 5e-3,
  };

  it('reaches high accuracy on separable features of both encoders', async () => {
    const { module, history } = await trainAlignment({
      ...base,
      valA: valA.features,
      valB: valB.features,
      valLabels: valA.labels,
    });
    expect(history).toHaveLength(15);
    expect(history[14]!.loss).toBeLessThan(history[0]!.loss);
    expect(history[14]!.trainAcc).toBeGreaterThan(0.95);
    expect(history[14]!.valAcc!).toBeGreaterThan(0.95);
    expect(accuracy(await predictAlignment(module, valA.features, valB.features), valA.labels)).toBe(
      history[14]!.valAcc,
    );
  });

  it('is deterministic: same seed, bitwise identical weights; another seed differs', async () => {
    const run = async (seed: number) =>
      (await trainAlignment({ ...base, epochs: 2, seed })).module.stateDict();
    const [a, a2, other] = [await run(3), await run(3), await run(4)];
    for (const [k, t] of a) expect((a2.get(k) as Tensor).data, k).toEqual((t as Tensor).data);
    expect((other.get('classifier.weight') as Tensor).data).not.toEqual(
      (a.get('classifier.weight') as Tensor).data,
    );
  });

  it('rejects bad input naming the field', async () => {
    await expect(trainAlignment({ ...base, featuresB: trainB.features.slice(dim) })).rejects.toThrow(
      /featuresB has 3184 values, expected N\*D = 200\*16 = 3200/,
    );
    await expect(trainAlignment({ ...base, classes: 1 })).rejects.toThrow(/classes must be an integer >= 2/);
    await expect(trainAlignment({ ...base, labels: trainA.labels.map((l) => l + 1) })).rejects.toThrow(
      /labels\[\d+\] = 4 is not a class index in \[0, 4\)/,
    );
    await expect(trainAlignment({ ...base, valA: valA.features })).rejects.toThrow(
      /give all of valA, valB and valLabels/,
    );
    await expect(trainAlignment({ ...base, tokens: 3 })).rejects.toThrow(
      /tokens must be a positive integer dividing dim = 16/,
    );
    await expect(
      trainAlignment({ ...base, valA: valA.features, valB: valB.features.slice(1), valLabels: valA.labels }),
    ).rejects.toThrow(/valB has 1599 values, expected N\*D = 100\*16 = 1600/);
  });
});
