/**
 * Barlow Twins loss (+ a Linear-BN-ReLU-Linear projector) and MultiheadAttention against PyTorch.
 * Metric: per tensor max |a - b| / max |b| (relErr in golden-helpers.ts) <= 1e-4 in float32.
 * (The trainer's real Barlow Twins loss lives in @asma/trainer; here it is composed from core ops.)
 */
import { Rng } from '@asma/util';
import { describe, expect, it } from 'vitest';
import { BatchNorm1d, Linear, MultiheadAttention, ReLU, Sequential } from '../src/nn/index.js';
import { mul, square, sub } from '../src/ops/elementwise.js';
import { matmul } from '../src/ops/linalg.js';
import { batchNorm } from '../src/ops/norm.js';
import { sum } from '../src/ops/reduce.js';
import { reshape, transpose } from '../src/ops/shape.js';
import { Tensor } from '../src/tensor.js';
import { expectClose, getInt, getTensor, loadFixture } from './golden-helpers.js';

function leaf(t: Tensor): Tensor {
  return new Tensor(t.data.slice(), t.shape, true);
}

function eye(d: number): Tensor {
  const t = new Tensor(new Float32Array(d * d), [d, d]);
  for (let i = 0; i < d; i++) t.data[i * d + i] = 1;
  return t;
}

/** sum_i (c_ii - 1)^2 + lambda * sum_{i != j} c_ij^2 with c = bn(z1)^T bn(z2) / N (BN without affine, batch stats). */
function barlowLoss(z1: Tensor, z2: Tensor, lambda: number): { loss: Tensor; c: Tensor } {
  const [n, d] = z1.shape as [number, number];
  const bn = (z: Tensor) => batchNorm(z, null, null, null, null, { training: true });
  const c = mul(matmul(transpose(bn(z1), 0, 1), bn(z2)), 1 / n);
  const i = eye(d);
  const onDiag = sum(mul(square(sub(c, i)), i));
  const offDiag = sum(mul(square(c), sub(1, i)));
  return { loss: reshape(sum(mul(offDiag, lambda)).add(onDiag), [1]), c };
}

describe('Barlow Twins loss vs PyTorch', () => {
  const f = loadFixture('golden_barlow.safetensors');

  for (const [tag, lambda] of [
    ['l2e-4', 2e-4],
    ['l5e-3', 5e-3],
  ] as const) {
    it(`lambda ${lambda}: loss, cross-correlation and gradients`, () => {
      const z1 = leaf(getTensor(f, 'z1'));
      const z2 = leaf(getTensor(f, 'z2'));
      const { loss, c } = barlowLoss(z1, z2, lambda);
      loss.backward();
      expectClose(`${tag}.loss`, loss, getTensor(f, `${tag}.loss`));
      expectClose(`${tag}.c`, c, getTensor(f, `${tag}.c`));
      expectClose(`${tag}.grad.z1`, z1.grad, getTensor(f, `${tag}.grad.z1`));
      expectClose(`${tag}.grad.z2`, z2.grad, getTensor(f, `${tag}.grad.z2`));
    });
  }

  it('through a Linear-BN-ReLU-Linear projector (both views, training mode)', () => {
    const rng = new Rng(0);
    const proj = new Sequential(
      new Linear(12, 16, { rng }),
      new BatchNorm1d(16),
      new ReLU(),
      new Linear(16, 16, { rng }),
    );
    const names = [...proj.stateDict().keys()];
    expect(names).toEqual([...f.tensors.keys()].filter((k) => /^proj\.\d\./.test(k)).map((k) => k.slice(5)));
    proj.loadStateDict(new Map(names.map((k) => [k, f.tensors.get(`proj.${k}`)!])));
    const h1 = leaf(getTensor(f, 'h1'));
    const h2 = leaf(getTensor(f, 'h2'));
    const { loss } = barlowLoss(proj.forward(h1), proj.forward(h2), 2e-4);
    loss.backward();
    expectClose('proj.loss', loss, getTensor(f, 'proj.loss'));
    expectClose('proj.grad.h1', h1.grad, getTensor(f, 'proj.grad.h1'));
    expectClose('proj.grad.h2', h2.grad, getTensor(f, 'proj.grad.h2'));
    for (const [name, p] of proj.namedParameters()) {
      // Both Linear biases feed a training-mode BN (the projector's, and the loss's affine-free one): their true
      // gradient is exactly 0, so torch and we return rounding noise; measure it against the weight's scale.
      if (name === '0.bias' || name === '3.bias') {
        const scale = Math.max(
          ...getTensor(f, `proj.grad.${name.replace('bias', 'weight')}`).data.map(Math.abs),
        );
        expect(Math.max(...getTensor(f, `proj.grad.${name}`).data.map(Math.abs))).toBeLessThanOrEqual(
          1e-12 * scale,
        );
        expect(Math.max(...p.grad!.data.map(Math.abs)) / scale).toBeLessThanOrEqual(1e-4);
        continue;
      }
      expectClose(`proj.grad.${name}`, p.grad, getTensor(f, `proj.grad.${name}`));
    }
    for (const [name, b] of proj.namedBuffers()) {
      if (b instanceof Tensor) expectClose(`proj.after.${name}`, b, getTensor(f, `proj.after.${name}`));
      else expect(b.item()).toBe(getInt(f, `proj.after.${name}`).item());
    }
  });
});

describe('MultiheadAttention vs PyTorch', () => {
  const f = loadFixture('golden_mha.safetensors');

  function build(batchFirst: boolean): MultiheadAttention {
    const mha = new MultiheadAttention(8, 2, { rng: new Rng(0), batchFirst });
    const names = [...mha.stateDict().keys()];
    expect(names).toEqual(['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias']);
    mha.loadStateDict(new Map(names.map((k) => [k, f.tensors.get(k)!])));
    return mha;
  }

  it('with a key padding mask', () => {
    const mha = build(false);
    const [q, k, v] = ['q', 'k', 'v'].map((n) => leaf(getTensor(f, n)));
    const kpm = getInt(f, 'kpm').data as Uint8Array;
    const { output, weights } = mha.forward(q!, k!, v!, { keyPaddingMask: kpm });
    sum(mul(output, getTensor(f, 'R')))
      .add(sum(mul(weights!, getTensor(f, 'Rw'))))
      .backward();
    expectClose('kpm.out', output, getTensor(f, 'kpm.out'));
    expectClose('kpm.weights', weights, getTensor(f, 'kpm.weights'));
    for (const [n, t] of [
      ['q', q],
      ['k', k],
      ['v', v],
    ] as const)
      expectClose(`kpm.grad.${n}`, t!.grad, getTensor(f, `kpm.grad.${n}`));
    for (const [name, p] of mha.namedParameters())
      expectClose(`kpm.grad.${name}`, p.grad, getTensor(f, `kpm.grad.${name}`));
    expect(() => mha.forward(q!, k!, v!, { keyPaddingMask: [true] })).toThrow(
      /keyPaddingMask must hold N\*S = 2\*4 = 8 entries/,
    );
  });

  for (const batchFirst of [false, true]) {
    it(`output, averaged weights and gradients (batchFirst ${batchFirst})`, () => {
      const mha = build(batchFirst);
      const bf = (t: Tensor) => (batchFirst ? transpose(t, 0, 1) : t);
      const [q, k, v] = ['q', 'k', 'v'].map((n) => leaf(bf(getTensor(f, n))));
      const { output, weights } = mha.forward(q!, k!, v!);
      const loss = sum(mul(bf(output), getTensor(f, 'R'))).add(sum(mul(weights!, getTensor(f, 'Rw'))));
      loss.backward();
      expectClose('out', bf(output), getTensor(f, 'out'));
      expectClose('weights', weights, getTensor(f, 'weights'));
      for (const [n, t] of [
        ['q', q],
        ['k', k],
        ['v', v],
      ] as const)
        expectClose(`grad.${n}`, bf(t!.grad!), getTensor(f, `grad.${n}`));
      for (const [name, p] of mha.namedParameters())
        expectClose(`grad.${name}`, p.grad, getTensor(f, `grad.${name}`));
    });
  }
});
