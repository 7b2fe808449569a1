// float32 (the training dtype) agrees with float64 forward and backward through every op family.
import {
  add,
  batchNorm,
  conv2dTemporal,
  crossEntropy,
  graphAggregate,
  layerNorm,
  matmul,
  mean,
  mul,
  permute,
  randn,
  relu,
  reshape,
  softmax,
  sum,
  type Tensor,
  tensor,
} from '@asma/autodiff';
import { Rng } from '@asma/util';
import { expect, test } from 'vitest';

function leaves(shapes: number[][], seed: number): [Tensor[], Tensor[]] {
  const rng = new Rng(seed);
  const t64 = shapes.map((s) => randn(s, rng, { dtype: 'float64', requiresGrad: true }));
  const t32 = t64.map((t) => tensor(Float32Array.from(t.data), t.shape, { requiresGrad: true }));
  return [t64, t32];
}

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    s = Math.max(s, Math.abs(b[i]!));
  }
  return d / Math.max(s, 1e-30);
}

test('a small ST-GCN-like block: float32 output and gradients match float64 to float32 precision', () => {
  // x (N, C, T, V) -> graph aggregation over K partitions -> temporal conv -> BN -> ReLU -> pool -> linear -> CE.
  const [n, c, t, v, k, cout, classes] = [2, 3, 6, 4, 2, 5, 3];
  const shapes = [[n, k * c, t, v], [k, v, v], [cout, c, 3, 1], [cout], [cout], [cout], [cout, classes]];
  const [p64, p32] = leaves(shapes, 1);
  const run = ([x, a, w, b, g, beta, fc]: Tensor[]) => {
    const agg = graphAggregate(reshape(x!, [n, k, c, t, v]), a!);
    const h = relu(batchNorm(conv2dTemporal(agg, w!, b!, { pad: 1 }), null, null, g!, beta!));
    const pooled = mean(h, [2, 3]);
    const logits = add(matmul(pooled, fc!), softmax(pooled, 1).sum(1, true));
    return crossEntropy(logits, [0, 2]);
  };
  const l64 = run(p64);
  const l32 = run(p32);
  expect(l32.dtype).toBe('float32');
  expect(Math.abs(l32.item() - l64.item()) / Math.abs(l64.item())).toBeLessThan(1e-5);
  l64.backward();
  l32.backward();
  for (let i = 0; i < p64.length; i++) {
    // The conv bias (3) feeds a training-mode BN: its true gradient is 0, so only its size is checked.
    if (i === 3) continue;
    expect(maxRel(p32[i]!.grad!.data, p64[i]!.grad!.data), `param ${i}`).toBeLessThan(1e-4);
  }
  const scale = Math.max(...Array.from(p64[2]!.grad!.data, Math.abs));
  expect(Math.max(...Array.from(p64[3]!.grad!.data, Math.abs))).toBeLessThan(1e-12 * scale);
  expect(Math.max(...Array.from(p32[3]!.grad!.data, Math.abs))).toBeLessThan(1e-5 * scale);
});

test('attention-like block (batched matmul, permute, softmax, layerNorm) in float32 vs float64', () => {
  const [b, l, d] = [2, 5, 4];
  const [p64, p32] = leaves([[b, l, d], [d, d], [d], [d]], 2);
  const run = ([x, wq, g, beta]: Tensor[]) => {
    const q = matmul(x!, wq!);
    const att = softmax(mul(matmul(q, permute(x!, [0, 2, 1])), 1 / Math.sqrt(d)), -1);
    return sum(mul(layerNorm(matmul(att, x!), [d], g!, beta!), x!));
  };
  const l64 = run(p64);
  const l32 = run(p32);
  expect(Math.abs(l32.item() - l64.item())).toBeLessThan(1e-4 * (1 + Math.abs(l64.item())));
  l64.backward();
  l32.backward();
  for (let i = 0; i < p64.length; i++)
    expect(maxRel(p32[i]!.grad!.data, p64[i]!.grad!.data), `param ${i}`).toBeLessThan(1e-4);
});

test('float32 sums accumulate in float64 (no drift over a million elements)', () => {
  const n = 1 << 20;
  const data = new Float32Array(n).fill(0.1);
  const exact = n * Math.fround(0.1);
  expect(Math.abs(sum(tensor(data)).item() - exact) / exact).toBeLessThan(1e-7);
  // The broadcast-gradient reduction (bias gradient) too.
  const bias = tensor([0], [1], { requiresGrad: true });
  sum(add(tensor(data), bias)).backward();
  expect(bias.grad!.item()).toBe(n);
});
