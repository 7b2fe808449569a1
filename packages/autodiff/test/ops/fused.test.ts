/**
 * The fused ops of the ST-GCN block: batchNorm(..., { relu: true }) and addRelu(a, b). Both are
 * gradient-checked in float64 and bit-identical to the unfused compositions they replace, forward and
 * backward, in float32 and float64 (NaN, -0 and infinities included for addRelu).
 */
import {
  add,
  addRelu,
  arbTensor,
  batchNorm,
  gradCheck,
  randn,
  relu,
  sum,
  type Tensor,
  tensor,
} from '@asma/autodiff';
import { Rng } from '@asma/util';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

const RUNS = { numRuns: 20, seed: 11 };

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  expect(a.length, what).toBe(b.length);
  for (let i = 0; i < a.length; i++)
    if (!Object.is(a[i], b[i])) expect([what, i, a[i]]).toEqual([what, i, b[i]]);
}

/** Gradients of sum(f(...) * probe) with respect to each input (a fixed random probe breaks symmetry). */
function grads(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], probe: Tensor): ArrayLike<number>[] {
  for (const x of inputs) {
    x.grad = null;
    x.requiresGrad = true;
  }
  const y = f(...inputs);
  sum(y.mul(probe)).backward();
  return inputs.map((x) => x.grad!.data);
}

describe('batchNorm with a fused ReLU', () => {
  test('gradient check away from the kink (x, weight, bias)', () => {
    fc.assert(
      fc.property(fc.tuple(arbTensor([3, 2, 4]), arbTensor([2]), arbTensor([2])), ([x, w, b]) => {
        const z = batchNorm(x, null, null, w, b, { eps: 1e-3 });
        fc.pre(Array.from(z.data).every((v) => Math.abs(v) > 1e-3));
        gradCheck(
          (xx, ww, bb) => batchNorm(xx!, null, null, ww!, bb!, { eps: 1e-3, relu: true }),
          [x, w, b],
          {
            rtol: 1e-5,
          },
        );
      }),
      RUNS,
    );
  });

  test('is bit-identical to relu(batchNorm(...)), training and eval, float32 and float64', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const training of [true, false]) {
        const rng = new Rng(training ? 1 : 2);
        const opts = { dtype };
        const x = randn([4, 3, 5, 6], rng, opts);
        // One channel poisoned with NaN, another with -0s: relu must treat them exactly as the plain op does.
        x.data[7] = Number.NaN;
        for (let i = 30; i < 40; i++) x.data[i] = -0;
        const w = randn([3], rng, opts);
        const b = randn([3], rng, opts);
        const probe = randn([4, 3, 5, 6], rng, opts);
        const stats = () => [randn([3], new Rng(5), opts), randn([3], new Rng(6), opts).abs()] as const;
        const [m1, v1] = stats();
        const [m2, v2] = stats();
        const fused = (xx: Tensor, ww: Tensor, bb: Tensor) =>
          batchNorm(xx, m1, v1, ww, bb, { training, relu: true });
        const plain = (xx: Tensor, ww: Tensor, bb: Tensor) =>
          relu(batchNorm(xx, m2, v2, ww, bb, { training }));
        const tag = `${dtype} ${training ? 'train' : 'eval'}`;
        sameBits(fused(x, w, b).data, plain(x, w, b).data, `forward ${tag}`);
        sameBits(m1.data, m2.data, `running mean ${tag}`);
        const gf = grads(fused, [x, w, b], probe);
        const gp = grads(plain, [x, w, b], probe);
        for (const [i, g] of gf.entries()) sameBits(g, gp[i]!, `gradient ${i} ${tag}`);
      }
    }
  });
});

const specials = [0, -0, Number.NaN, Infinity, -Infinity, 1e-45, -1e-45, 3.4e38, -3.4e38, 1, -1, 2];

describe('addRelu', () => {
  test('gradient check away from the kink', () => {
    fc.assert(
      // |a| >= 0.5 and |b| <= 0.2 keep a + b at least 0.3 from the kink; both signs occur.
      fc.property(
        fc.tuple(arbTensor([2, 3, 4], { awayFromZero: 0.5 }), arbTensor([2, 3, 4], { lo: -0.2, hi: 0.2 })),
        ([a, b]) => {
          gradCheck((x, y) => addRelu(x!, y!), [a, b]);
        },
      ),
      RUNS,
    );
  });

  test('is bit-identical to relu(add(a, b)) forward and backward, specials included', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const rng = new Rng(3);
      const n = 12 * 12;
      const ctor = dtype === 'float32' ? Float32Array : Float64Array;
      // Every pair of specials, then random values.
      const av = Array.from({ length: n }, (_, i) => specials[i % 12]!);
      const bv = Array.from({ length: n }, (_, i) => specials[Math.floor(i / 12)]!);
      for (let i = 0; i < 40; i++) {
        av.push(rng.normal());
        bv.push(rng.normal());
      }
      const a = tensor(ctor.from(av), [av.length], { dtype });
      const b = tensor(ctor.from(bv), [bv.length], { dtype });
      const probe = randn([av.length], rng, { dtype });
      sameBits(addRelu(a, b).data, relu(add(a, b)).data, `forward ${dtype}`);
      const gf = grads(addRelu, [a, b], probe);
      const gp = grads((x, y) => relu(add(x, y)), [a, b], probe);
      for (const [i, g] of gf.entries()) sameBits(g, gp[i]!, `gradient ${i} ${dtype}`);
    }
  });

  test('broadcasting shapes take the plain composition', () => {
    const rng = new Rng(4);
    const a = randn([3, 4], rng);
    const b = randn([4], rng);
    sameBits(addRelu(a, b).data, relu(add(a, b)).data, 'broadcast');
  });
});
