// Ops against PyTorch 1.13 golden values (float64), made by tools/torch/autodiff_ops.py.
import { readFileSync } from 'node:fs';
import {
  batchNorm,
  conv2dTemporal,
  crossEntropy,
  div,
  gelu,
  klDiv,
  layerNorm,
  logSoftmax,
  matmul,
  mul,
  ones,
  softmax,
  sum,
  type Tensor,
  tensor,
  variance,
  zeros,
} from '@asma/autodiff';
import { describe, expect, test } from 'vitest';

interface Case {
  inputs: Record<string, { shape: number[]; data: number[] }>;
  w: number[];
  out: { shape: number[]; data: number[] };
  grads: Record<string, number[]>;
  [extra: string]: unknown;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/ops_torch.json', import.meta.url), 'utf8')) as {
  cases: Record<string, Case>;
};

function expectAll(name: string, actual: ArrayLike<number>, expected: number[]): void {
  expect(actual.length, `${name}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++)
    expect(Math.abs(actual[i]! - expected[i]!), `${name}[${i}]: ${actual[i]} vs ${expected[i]}`).toBeLessThan(
      1e-12 * (1 + Math.abs(expected[i]!)),
    );
}

/** Build float64 leaves, run fn, backprop sum(out * w), compare output and every input gradient. */
function check(name: string, fn: (x: Record<string, Tensor>) => Tensor): void {
  const c = fixture.cases[name]!;
  const xs: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(c.inputs))
    xs[k] = tensor(v.data, v.shape, { dtype: 'float64', requiresGrad: true });
  const out = fn(xs);
  expect([...out.shape]).toEqual(c.out.shape);
  expectAll(`${name}.out`, out.data, c.out.data);
  sum(mul(out, tensor(c.w, c.out.shape, { dtype: 'float64' }))).backward();
  for (const [k, g] of Object.entries(c.grads)) expectAll(`${name}.grad.${k}`, xs[k]!.grad!.data, g);
}

const f64 = (v: number[]) => tensor(v, undefined, { dtype: 'float64' });

describe('ops vs PyTorch', () => {
  test('batchNorm training: output, gradients and running statistics', () => {
    const c = fixture.cases.batchNorm_train!;
    const rm = f64(c.runningMean0 as number[]);
    const rv = f64(c.runningVar0 as number[]);
    check('batchNorm_train', ({ x, weight, bias }) =>
      batchNorm(x!, rm, rv, weight!, bias!, { training: true }),
    );
    expectAll('runningMean', rm.data, c.runningMean as number[]);
    expectAll('runningVar', rv.data, c.runningVar as number[]);
  });
  test('batchNorm eval on (N, C)', () =>
    check('batchNorm_eval_2d', ({ x }) =>
      batchNorm(x!, zeros([4], { dtype: 'float64' }), mul(ones([4], { dtype: 'float64' }), 2), null, null, {
        training: false,
      }),
    ));
  test('layerNorm', () => check('layerNorm', ({ x, weight, bias }) => layerNorm(x!, [3, 4], weight!, bias!)));
  test('crossEntropy with label smoothing', () =>
    check('crossEntropy_smooth', ({ x }) =>
      crossEntropy(x!, fixture.cases.crossEntropy_smooth!.labels as number[], { labelSmoothing: 0.1 }),
    ));
  test('klDiv batchmean (distillation form)', () =>
    check('klDiv_batchmean', ({ s, t }) =>
      klDiv(logSoftmax(div(s!, 2), 1), softmax(div(t!, 2), 1), { reduction: 'batchmean' }),
    ));
  test('logSoftmax along axis 1', () => check('logSoftmax_axis1', ({ x }) => logSoftmax(x!, 1)));
  test('gelu', () => check('gelu', ({ x }) => gelu(x!)));
  test('unbiased var with keepdim', () =>
    check('var_unbiased', ({ x }) => variance(x!, [0, 2], { keepdim: true })));
  test('matmul with broadcast batch dims', () => check('matmul_broadcast', ({ a, b }) => matmul(a!, b!)));
  test('conv2dTemporal (stride 2, pad 1, bias)', () =>
    check('conv_temporal', ({ x, w, bias }) => conv2dTemporal(x!, w!, bias!, { stride: 2, pad: 1 })));
});
