/**
 * Backward recycles consumed gradient buffers (>= 16384 elements) into later gradients. Gradients must
 * be bit-identical with recycling on and off, through fan-out (residual adds), reshapes (g handed on as
 * is), slices and concat (views), and with retainGraph over two backward passes.
 */
import { Rng } from '@asma/util';
import { describe, expect, it } from 'vitest';
import {
  add,
  batchNorm,
  concat,
  dropout,
  mul,
  randn,
  relu,
  reshape,
  setGradientRecycling,
  slice,
  sum,
  type Tensor,
} from '../src/index.js';

/** A residual-style graph over (4, 8, 40, 25) = 32,000 elements: every gradient is poolable. */
function grads(recycle: boolean, twice = false): Float32Array[] {
  const prev = setGradientRecycling(recycle);
  try {
    const rng = new Rng(9);
    const x = randn([4, 8, 40, 25], rng, { requiresGrad: true });
    const w = randn([4, 8, 40, 25], rng, { requiresGrad: true });
    const bw = randn([8], rng, { requiresGrad: true });
    const h = relu(batchNorm(mul(x, w), null, null, bw, null));
    const d = dropout(h, 0.5, new Rng(3));
    const r = relu(add(d, x)); // x fans out
    const v = reshape(r, [4, 8 * 40 * 25]);
    const parts = concat([slice(v, 1, 0, 16000), slice(v, 1, 16000, 32000)], 1);
    const loss = sum(mul(add(parts, reshape(h, [4, 8000])), randn([4, 8000], rng)));
    loss.backward(undefined, { retainGraph: twice });
    if (twice) loss.backward();
    return [x, w, bw].map((t: Tensor) => Float32Array.from(t.grad!.data));
  } finally {
    setGradientRecycling(prev);
  }
}

describe('gradient recycling', () => {
  it('gives bit-identical gradients with recycling on and off', () => {
    const on = grads(true);
    const off = grads(false);
    for (let i = 0; i < on.length; i++) expect(on[i]).toEqual(off[i]);
  });

  it('stays bit-identical over two backward passes with retainGraph', () => {
    const on = grads(true, true);
    const off = grads(false, true);
    for (let i = 0; i < on.length; i++) expect(on[i]).toEqual(off[i]);
    expect(on[0]).not.toEqual(grads(true)[0]); // the second pass accumulated
  });

  it('defaults to on and reports the previous setting', () => {
    expect(setGradientRecycling(false)).toBe(true);
    expect(setGradientRecycling(true)).toBe(false);
  });
});
