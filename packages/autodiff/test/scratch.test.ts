/**
 * The buffer pool and `scratch`: recycled buffers must never change a result. Random programs (fan-out,
 * views handed on, slices and concat, fused ops, dropout masks) run for several training steps inside
 * `scratch`, with no-grad passes between them that recycle at once; parameters and gradients must be
 * bit-identical with recycling on and off. Direct tests pin what is and is not released, and when.
 */
import { Rng } from '@asma/util';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  add,
  addRelu,
  batchNorm,
  bufferPoolStats,
  clearBufferPool,
  concat,
  dropout,
  full,
  mul,
  noGrad,
  randn,
  record,
  relu,
  reshape,
  scratch,
  setBufferPoolLimit,
  setBufferRecycling,
  slice,
  sub,
  sum,
  Tensor,
  zeros,
} from '../src/index.js';

/** 16,384 elements: every intermediate is poolable. */
const SHAPE = [4, 8, 32, 16];
const N = 16384;

type Step = { op: number; a: number; b: number };

/** Apply a random program to (x, w); every value is a function of earlier ones, so fan-out is common. */
function program(x: Tensor, w: Tensor, bw: Tensor, steps: readonly Step[], rng: Rng): Tensor {
  const vals: Tensor[] = [x, mul(x, w)];
  for (const { op, a, b } of steps) {
    const p = vals[a % vals.length]!;
    const q = vals[b % vals.length]!;
    let v: Tensor;
    switch (op) {
      case 0:
        v = add(p, q);
        break;
      case 1:
        v = mul(p, q);
        break;
      case 2:
        v = relu(p);
        break;
      case 3:
        v = reshape(reshape(p, [4, 8 * 32 * 16]), SHAPE); // the gradient is handed on as it is
        break;
      case 4:
        v = concat([slice(p, 2, 0, 16), slice(q, 2, 16, 32)], 2); // views of one gradient
        break;
      case 5:
        v = addRelu(p, q);
        break;
      case 6:
        v = batchNorm(p, null, null, bw, null, { relu: true });
        break;
      case 7:
        v = dropout(p, 0.3, rng);
        break;
      default:
        v = sub(p, p); // both gradients are g itself
    }
    vals.push(v);
  }
  return sum(mul(vals[vals.length - 1]!, add(vals[vals.length - 2]!, vals[1]!))); // always depends on w
}

/** Three SGD steps of the program inside scratch, with an inference pass between steps. */
function train(steps: readonly Step[], recycling: boolean): Float32Array[] {
  const prev = setBufferRecycling(recycling);
  try {
    const rng = new Rng(5);
    const x = randn(SHAPE, rng);
    const w = randn(SHAPE, rng, { requiresGrad: true });
    const bw = randn([8], rng, { requiresGrad: true });
    const out: Float32Array[] = [];
    for (let s = 0; s < 3; s++) {
      w.zeroGrad();
      bw.zeroGrad();
      const loss = scratch(() => program(x, w, bw, steps, new Rng(s)));
      loss.backward();
      for (const p of [w, bw]) {
        if (p.grad === null) continue; // bw is unused unless the program has a batch norm
        out.push(Float32Array.from(p.grad.data));
        for (let i = 0; i < p.size; i++) p.data[i]! -= 1e-3 * p.grad.data[i]!;
      }
      const seen = noGrad(() => scratch(() => program(x, w, bw, steps, new Rng(s))));
      out.push(Float32Array.from(seen.data));
    }
    return out;
  } finally {
    setBufferRecycling(prev);
  }
}

afterEach(() => clearBufferPool());

describe('scratch and the buffer pool', () => {
  it('gives bit-identical training with recycling on and off on random programs', () => {
    const step = fc.record({
      op: fc.integer({ min: 0, max: 8 }),
      a: fc.nat(),
      b: fc.nat(),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 10 }), (steps) => {
        const on = train(steps, true);
        const off = train(steps, false);
        for (let i = 0; i < on.length; i++) expect(on[i]).toEqual(off[i]);
      }),
      { numRuns: 40 },
    );
  });

  it('recycles the intermediates of a no-grad pass at once, never its input or result', () => {
    const rng = new Rng(1);
    const x = randn(SHAPE, rng);
    const before = Float32Array.from(x.data);
    const result = noGrad(() => scratch(() => reshape(relu(mul(relu(reshape(x, [N])), 2)), SHAPE)));
    const kept = Float32Array.from(result.data);
    // relu(x) and mul(...) are dead: two buffers; x (and its reshape view) and the result are not.
    expect(bufferPoolStats().bytes).toBe(2 * N * 4);
    for (let i = 0; i < 4; i++) zeros(SHAPE).data.fill(7); // drain the pool, and more
    expect(x.data).toEqual(before);
    expect(result.data).toEqual(kept);
  });

  it('releases a graph-mode scope with the backward pass that frees its graph, not before', () => {
    const rng = new Rng(2);
    const x = randn(SHAPE, rng, { requiresGrad: true });
    const loss = scratch(() => sum(mul(relu(x), relu(x))));
    expect(bufferPoolStats().bytes).toBe(0);
    loss.backward(undefined, { retainGraph: true });
    const g1 = Float32Array.from(x.grad!.data);
    const held = bufferPoolStats().bytes; // gradients only
    loss.backward();
    expect(bufferPoolStats().bytes).toBeGreaterThan(held); // + the two relu outputs
    for (let i = 0; i < x.size; i++) expect(x.grad!.data[i]).toBe(2 * g1[i]!);
  });

  it('keeps the scratch of a result that no gradient reached: a later backward through it is exact', () => {
    const x = randn(SHAPE, new Rng(6), { requiresGrad: true });
    const r = scratch(() => relu(mul(x, 2))); // relu's backward reads mul's output, a scratch buffer
    const stop = record(new Tensor(Float32Array.from(r.data), r.shape), 'stop', [r], () => [null]);
    sum(stop).backward(); // frees stop's node; r's node gets no gradient and keeps its closure
    expect(x.grad).toBeNull();
    for (let i = 0; i < 4; i++) zeros(SHAPE).data.fill(-1); // would overwrite a recycled buffer
    r.backward(full(SHAPE, 1));
    for (let i = 0; i < x.size; i++) expect(x.grad!.data[i]).toBe(x.data[i]! > 0 ? 2 : 0);
  });

  it('hands a nested scope result to the enclosing scope', () => {
    const x = randn(SHAPE, new Rng(3));
    let inner: Tensor | null = null;
    noGrad(() =>
      scratch(() => {
        inner = scratch(() => relu(mul(x, 3)));
        expect(bufferPoolStats().bytes).toBe(N * 4); // mul's output only
        return add(inner, 1); // takes mul's buffer from the pool
      }),
    );
    // The inner result was an intermediate of the outer scope: it is the next buffer handed out.
    expect(zeros(SHAPE).data.buffer).toBe(inner!.data.buffer);
  });

  it('keeps nothing past its byte bound, and nothing when recycling is off', () => {
    const x = randn(SHAPE, new Rng(4));
    const prev = setBufferPoolLimit(N * 4);
    try {
      noGrad(() => scratch(() => relu(relu(relu(x)))));
      expect(bufferPoolStats().bytes).toBe(N * 4);
    } finally {
      setBufferPoolLimit(prev);
    }
    const was = setBufferRecycling(false);
    try {
      noGrad(() => scratch(() => relu(relu(relu(x)))));
      expect(bufferPoolStats().bytes).toBe(0);
    } finally {
      setBufferRecycling(was);
    }
  });
});
