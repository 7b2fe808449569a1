import {
  add,
  type BackwardFn,
  exp,
  full,
  gradCheck,
  gradCheckReport,
  isGradEnabled,
  matmul,
  mul,
  noGrad,
  ones,
  rand,
  randn,
  record,
  sum,
  Tensor,
  tensor,
  withGrad,
  zeros,
} from '@asma/autodiff';
import { Rng } from '@asma/util';
import { describe, expect, test } from 'vitest';

describe('Tensor basics', () => {
  test('factories, dtype, shape, toArray, item', () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.size).toBe(6);
    expect(t.ndim).toBe(2);
    expect(t.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(tensor([1, 2, 3, 4], [2, 2]).toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(tensor(new Float64Array([1, 2])).dtype).toBe('float64');
    expect(zeros([2], { dtype: 'float64' }).data).toBeInstanceOf(Float64Array);
    expect(Array.from(ones([2]).data)).toEqual([1, 1]);
    expect(Array.from(full([2], 7).data)).toEqual([7, 7]);
    expect(full([], 3).item()).toBe(3);
    expect(Array.from(randn([5], new Rng(1)).data)).toEqual(Array.from(randn([5], new Rng(1)).data));
    expect(Array.from(rand([100], new Rng(2)).data).every((v) => v >= 0 && v < 1)).toBe(true);
    expect(t.toFloat64().dtype).toBe('float64');
    expect(t.toFloat64().toFloat32().toArray()).toEqual(t.toArray());
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged/);
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(/shape \[2,2\] does not fit 3 values/);
    expect(() => t.item()).toThrow(/item: tensor of shape \[2,3\] has 6 elements/);
  });

  test('chainable methods agree with free functions', () => {
    const a = tensor([1, 2, 3, 4], [2, 2]);
    const b = tensor([0.5, -1, 2, 3], [2, 2]);
    expect(a.add(b).mul(2).sub(1).div(b).relu().toArray()).toEqual(
      tensor(
        Array.from(a.data, (x, i) => Math.max(((x + b.data[i]!) * 2 - 1) / b.data[i]!, 0)),
        [2, 2],
      ).toArray(),
    );
    expect(a.matmul(b).toArray()).toEqual(matmul(a, b).toArray());
    expect(a.transpose().toArray()).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(a.sum(1).toArray()).toEqual([3, 7]);
    expect(a.mean().item()).toBe(2.5);
  });
});

describe('tape and backward', () => {
  test('gradients accumulate across backward calls (micro-batch accumulation)', () => {
    const w = tensor([1, 2, 3], undefined, { requiresGrad: true });
    sum(mul(w, w)).backward();
    sum(mul(w, 3)).backward();
    expect(Array.from(w.grad!.data)).toEqual([5, 7, 9]);
    w.zeroGrad();
    expect(w.grad).toBeNull();
  });

  test('the graph is freed after backward unless retainGraph', () => {
    const w = tensor([1, 2], undefined, { requiresGrad: true });
    const y = sum(exp(w));
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(w.grad!.data[0]).toBeCloseTo(2 * Math.E, 5);
    expect(() => y.backward()).toThrow(/already freed.*retainGraph/);
  });

  test('diamond-shaped graphs sum both paths', () => {
    const x = tensor([2], undefined, { requiresGrad: true, dtype: 'float64' });
    const h = exp(x);
    const y = add(mul(h, h), h);
    y.backward();
    expect(x.grad!.item()).toBeCloseTo(2 * Math.exp(4) + Math.exp(2), 9);
  });

  test('non-scalar backward needs an explicit gradient of the same shape', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const y = mul(x, 3);
    expect(() => y.backward()).toThrow(/implicit gradient needs a single-element tensor, got \[2\]/);
    y.backward(tensor([1, 10]));
    expect(Array.from(x.grad!.data)).toEqual([3, 30]);
  });

  test('noGrad records nothing; withGrad re-enables inside it', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      const inner = withGrad(() => mul(x, 2));
      expect(inner.requiresGrad).toBe(true);
      return mul(x, 2);
    });
    expect(isGradEnabled()).toBe(true);
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(mul(tensor([1]), 2).gradFn).toBeNull();
  });

  test('detach and release cut the graph', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const y = mul(x, 2);
    expect(y.detach().requiresGrad).toBe(false);
    expect(y.detach().data).toBe(y.data);
    y.release();
    expect(y.gradFn).toBeNull();
    expect(y.requiresGrad).toBe(false);
    expect(() => y.backward()).toThrow(/does not require grad/);
  });

  test('deep chains do not overflow the stack', () => {
    let x = tensor([1], undefined, { requiresGrad: true, dtype: 'float64' });
    const leaf = x;
    for (let i = 0; i < 20000; i++) x = mul(x, 1);
    x.backward();
    expect(leaf.grad!.item()).toBe(1);
  });
});

describe('gradCheck helper', () => {
  /** A deliberately wrong op: d/dx x^2 claimed to be x. */
  function badSquare(a: Tensor): Tensor {
    const out = new Tensor(
      a.data.map((v) => v * v),
      a.shape,
    );
    const back: BackwardFn = (g) => [(g as Float32Array).map((v, i) => v * a.data[i]!)];
    return record(out, 'badSquare', [a], back);
  }

  test('catches a wrong gradient and names the input, index and both values', () => {
    const x = tensor([1.5, -2], undefined, { dtype: 'float64' });
    const r = gradCheckReport(badSquare, [x]);
    expect(r.ok).toBe(false);
    expect(r.worst!.input).toBe(0);
    expect(r.message).toMatch(/input 0 \(shape \[2\]\) element \d: analytic .* vs numeric/);
    expect(() => gradCheck(badSquare, [x])).toThrow(/gradCheck: input 0/);
  });

  test('passes a right gradient; wrt limits the inputs checked', () => {
    const x = tensor([1.5, -2], undefined, { dtype: 'float64' });
    const y = tensor([0.5, 3], undefined, { dtype: 'float64' });
    expect(gradCheck(mul, [x, y]).checked).toBe(4);
    expect(gradCheck(mul, [x, y], { wrt: [1] }).checked).toBe(2);
    // Float32 inputs are checked on float64 copies.
    expect(gradCheck(exp, [tensor([0.1, 0.2])]).ok).toBe(true);
  });
});

describe('dtype conversion', () => {
  test('cast is differentiable and returns the gradient in the source dtype', () => {
    const x = tensor([1, 2, 3], undefined, { requiresGrad: true });
    const y = sum(mul(x.toFloat64(), tensor([1, 2, 3], undefined, { dtype: 'float64' })));
    expect(y.dtype).toBe('float64');
    y.backward();
    expect(x.grad!.dtype).toBe('float32');
    expect(Array.from(x.grad!.data)).toEqual([1, 2, 3]);
  });
});

describe('gradient buffers are never shared', () => {
  test('an op that hands one gradient array to two leaves gives them separate .grad buffers', () => {
    const a = tensor([1, 2], undefined, { requiresGrad: true });
    const b = tensor([3, 4], undefined, { requiresGrad: true });
    sum(mul(add(a, b), tensor([5, 6]))).backward();
    expect(a.grad!.data).not.toBe(b.grad!.data);
    sum(mul(a, 10)).backward();
    expect(Array.from(a.grad!.data)).toEqual([15, 16]);
    expect(Array.from(b.grad!.data)).toEqual([5, 6]);
  });

  test('a shared gradient reaching an intermediate used twice is not corrupted', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true, dtype: 'float64' });
    const h = exp(x);
    const z = add(h, h);
    const y = sum(add(mul(z, tensor([1, 1], undefined, { dtype: 'float64' })), h));
    y.backward();
    expect(x.grad!.data[0]).toBeCloseTo(3 * Math.E, 12);
    expect(x.grad!.data[1]).toBeCloseTo(3 * Math.exp(2), 12);
  });
});
