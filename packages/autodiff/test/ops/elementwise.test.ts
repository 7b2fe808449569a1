import {
  abs,
  add,
  arbBroadcastShapes,
  arbShape,
  arbTensor,
  clamp,
  div,
  exp,
  gelu,
  gradCheck,
  leakyRelu,
  log,
  maskedFill,
  maximum,
  mul,
  neg,
  pow,
  relu,
  sigmoid,
  softmax,
  sqrt,
  square,
  sub,
  type Tensor,
  tanh,
  tensor,
} from '@asma/autodiff';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

const RUNS = { numRuns: 25, seed: 1 };
const shapes = arbShape({ maxRank: 3 });

describe('binary ops broadcast and differentiate', () => {
  const cases: [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number][] = [
    ['add', add, (x, y) => x + y],
    ['sub', sub, (x, y) => x - y],
    ['mul', mul, (x, y) => x * y],
    ['div', div, (x, y) => x / y],
    ['maximum', maximum, (x, y) => Math.max(x, y)],
  ];
  for (const [name, op, ref] of cases) {
    test(`${name}: forward matches broadcast reference, gradient checks`, () => {
      fc.assert(
        fc.property(
          arbBroadcastShapes({ maxRank: 3 }).chain(([sa, sb]) =>
            fc.tuple(arbTensor(sa, { lo: 0.5, hi: 2 }), arbTensor(sb, { lo: -2, hi: -0.5 })),
          ),
          ([a, b]) => {
            const y = op(a, b);
            // Reference: index each output position back into both inputs.
            const nd = y.ndim;
            const pa = [...Array(nd - a.ndim).fill(1), ...a.shape];
            const pb = [...Array(nd - b.ndim).fill(1), ...b.shape];
            const idx = new Array(nd).fill(0);
            for (let i = 0; i < y.size; i++) {
              let r = i;
              for (let d = nd - 1; d >= 0; d--) {
                idx[d] = r % y.shape[d]!;
                r = Math.floor(r / y.shape[d]!);
              }
              let ia = 0;
              let ib = 0;
              for (let d = 0; d < nd; d++) {
                ia = ia * pa[d]! + (pa[d] === 1 ? 0 : idx[d]!);
                ib = ib * pb[d]! + (pb[d] === 1 ? 0 : idx[d]!);
              }
              expect(y.data[i]).toBe(ref(a.data[ia]!, b.data[ib]!));
            }
            gradCheck(op, [a, b]);
          },
        ),
        RUNS,
      );
    });
  }

  test('same tensor on both sides accumulates both gradients', () => {
    const x = tensor([1, -2, 3], undefined, { requiresGrad: true });
    mul(x, x).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([2, -4, 6]);
  });

  test('shape mismatch names the op and both shapes', () => {
    expect(() => add(tensor([1, 2, 3]), tensor([1, 2]))).toThrow(/add: cannot broadcast \[3\] with \[2\]/);
    expect(() => mul(tensor([[1, 2]]), tensor([[1], [2], [3]]).reshape([1, 3]))).toThrow(
      /mul: .*\[1,2\].*\[1,3\]/,
    );
  });

  test('mixing dtypes is an error', () => {
    expect(() => add(tensor([1]), tensor([1], undefined, { dtype: 'float64' }))).toThrow(/add: mixed dtypes/);
  });
});

describe('scalar variants', () => {
  test('tensor op number and number op tensor', () => {
    fc.assert(
      fc.property(
        shapes.chain((s) => arbTensor(s, { lo: 0.5, hi: 2 })),
        fc.double({ min: 0.5, max: 3, noNaN: true }),
        (a, c) => {
          expect(Array.from(add(a, c).data)).toEqual(Array.from(a.data, (x) => x + c));
          expect(Array.from(div(c, a).data)).toEqual(Array.from(a.data, (x) => c / x));
          for (const f of [
            (t: Tensor) => add(t, c),
            (t: Tensor) => add(c, t),
            (t: Tensor) => sub(t, c),
            (t: Tensor) => sub(c, t),
            (t: Tensor) => mul(t, c),
            (t: Tensor) => mul(c, t),
            (t: Tensor) => div(t, c),
            (t: Tensor) => div(c, t),
          ])
            gradCheck(f, [a]);
        },
      ),
      RUNS,
    );
  });
});

describe('unary ops', () => {
  const cases: [string, (a: Tensor) => Tensor, (x: number) => number, { lo: number; hi: number }][] = [
    ['neg', neg, (x) => -x, { lo: -2, hi: 2 }],
    ['exp', exp, Math.exp, { lo: -2, hi: 2 }],
    ['log', log, Math.log, { lo: 0.2, hi: 3 }],
    ['sqrt', sqrt, Math.sqrt, { lo: 0.2, hi: 3 }],
    ['square', square, (x) => x * x, { lo: -2, hi: 2 }],
    ['pow 3', (a) => pow(a, 3), (x) => x ** 3, { lo: -2, hi: 2 }],
    ['pow -1.5', (a) => pow(a, -1.5), (x) => x ** -1.5, { lo: 0.3, hi: 2 }],
    ['abs', abs, Math.abs, { lo: -2, hi: 2 }],
    ['clamp', (a) => clamp(a, -0.5, 0.7), (x) => Math.min(Math.max(x, -0.5), 0.7), { lo: -2, hi: 2 }],
    ['relu', relu, (x) => Math.max(x, 0), { lo: -2, hi: 2 }],
    ['leakyRelu', (a) => leakyRelu(a, 0.1), (x) => (x > 0 ? x : 0.1 * x), { lo: -2, hi: 2 }],
    ['sigmoid', sigmoid, (x) => 1 / (1 + Math.exp(-x)), { lo: -6, hi: 6 }],
    ['tanh', tanh, Math.tanh, { lo: -3, hi: 3 }],
  ];
  for (const [name, op, ref, range] of cases) {
    test(`${name}: forward and gradient`, () => {
      fc.assert(
        fc.property(
          shapes.chain((s) => arbTensor(s, { ...range, awayFromZero: 1e-3 })),
          (a) => {
            const y = op(a);
            for (let i = 0; i < a.size; i++) expect(y.data[i]).toBeCloseTo(ref(a.data[i]!), 12);
            // Stay away from clamp's kinks too.
            if (
              name === 'clamp' &&
              Array.from(a.data).some((x) => Math.abs(x + 0.5) < 1e-3 || Math.abs(x - 0.7) < 1e-3)
            )
              return;
            gradCheck(op, [a]);
          },
        ),
        RUNS,
      );
    });
  }

  test('gelu matches the erf form and differentiates', () => {
    // torch.nn.functional.gelu([-3, -1, -0.5, 0, 0.5, 1, 3]) in float64.
    const torchGelu = [
      -0.00404969409489031, -0.15865525393145702, -0.15426876936299344, 0, 0.34573123063700656,
      0.841344746068543, 2.99595030590511,
    ];
    const y = gelu(tensor([-3, -1, -0.5, 0, 0.5, 1, 3], undefined, { dtype: 'float64' }));
    for (let i = 0; i < 7; i++) expect(y.data[i]).toBeCloseTo(torchGelu[i]!, 14);
    fc.assert(
      fc.property(
        shapes.chain((s) => arbTensor(s, { lo: -4, hi: 4 })),
        (a) => {
          gradCheck(gelu, [a]);
        },
      ),
      RUNS,
    );
  });

  test('float32 forward agrees with float64 forward', () => {
    fc.assert(
      fc.property(
        arbBroadcastShapes({ maxRank: 3 }).chain(([sa, sb]) =>
          fc.tuple(arbTensor(sa, { lo: 0.5, hi: 2 }), arbTensor(sb, { lo: 0.5, hi: 2 })),
        ),
        ([a, b]) => {
          const f = (x: Tensor, y: Tensor) => tanh(div(mul(exp(x), sub(x, y)), sqrt(y)));
          const y64 = f(a, b);
          const y32 = f(a.toFloat32(), b.toFloat32());
          expect(y32.dtype).toBe('float32');
          for (let i = 0; i < y64.size; i++) expect(Math.abs(y32.data[i]! - y64.data[i]!)).toBeLessThan(1e-5);
        },
      ),
      RUNS,
    );
  });
});

describe('maskedFill', () => {
  test('fills where the broadcast mask is set, gradient flows elsewhere; -Infinity masks softmax entries', () => {
    fc.assert(
      fc.property(
        arbShape({ minRank: 1, maxRank: 3 }).chain((s) =>
          fc.tuple(
            arbTensor(s),
            fc.array(fc.boolean(), { minLength: s[s.length - 1]!, maxLength: s[s.length - 1]! }),
          ),
        ),
        ([x, bits]) => {
          const mask = tensor(
            bits.map((b) => (b ? 1 : 0)),
            [bits.length],
          );
          const y = maskedFill(x, mask, -7);
          for (let i = 0; i < x.size; i++) expect(y.data[i]).toBe(bits[i % bits.length] ? -7 : x.data[i]);
          gradCheck((t) => maskedFill(t, mask, -7), [x]);
        },
      ),
      RUNS,
    );
    const p = softmax(maskedFill(tensor([1, 2, 3]), tensor([0, 1, 0]), Number.NEGATIVE_INFINITY));
    expect(p.data[1]).toBe(0);
    expect(() => maskedFill(tensor([1, 2]), tensor([1, 0, 1]), 0)).toThrow(
      'maskedFill: cannot broadcast [2] with [3]: axis -1 has sizes 2 and 3',
    );
  });
});
