/**
 * An ST-GCN block composed from the autodiff modules (test-local; the real model lives in @asma/trainer)
 * against PyTorch on fixed weights: outputs, running statistics and gradients of sum(out * R) w.r.t. the
 * input, every parameter and the edge importance, in training and eval mode. Metric: per tensor
 * max |a - b| / max |b| (relErr in golden-helpers.ts) <= 1e-4 in float32, <= 1e-9 in float64.
 */
import { Rng } from '@asma/util';
import { describe, expect, it } from 'vitest';
import { IntTensor } from '../src/io/int-tensor.js';
import type { SafetensorsFile } from '../src/io/safetensors.js';
import { BatchNorm2d, Conv2d, Dropout, Module, ReLU, Sequential } from '../src/nn/index.js';
import { relu } from '../src/ops/activation.js';
import { graphAggregate } from '../src/ops/conv.js';
import { add, mul } from '../src/ops/elementwise.js';
import { sum } from '../src/ops/reduce.js';
import { reshape } from '../src/ops/shape.js';
import { type DType, Tensor } from '../src/tensor.js';
import { expectClose, getInt, getTensor, loadFixture } from './golden-helpers.js';

class ConvTemporalGraphical extends Module {
  readonly conv: Conv2d;
  constructor(
    cin: number,
    readonly cout: number,
    readonly k: number,
    rng: Rng,
  ) {
    super();
    this.conv = this.registerModule('conv', new Conv2d(cin, cout * k, 1, { rng }));
  }
  forward(x: Tensor, a: Tensor): Tensor {
    const y = this.conv.forward(x);
    const [n, , t, v] = y.shape as [number, number, number, number];
    return graphAggregate(reshape(y, [n, this.k, this.cout, t, v]), a);
  }
}

class StGcnBlock extends Module {
  readonly gcn: ConvTemporalGraphical;
  readonly tcn: Sequential;
  readonly residual: Sequential | 'identity';
  constructor(cin: number, cout: number, k: number, stride: number, rng: Rng) {
    super();
    this.gcn = this.registerModule('gcn', new ConvTemporalGraphical(cin, cout, k, rng));
    this.tcn = this.registerModule(
      'tcn',
      new Sequential(
        new BatchNorm2d(cout),
        new ReLU(),
        new Conv2d(cout, cout, [9, 1], { stride: [stride, 1], padding: [4, 0], rng }),
        new BatchNorm2d(cout),
        new Dropout(0, rng),
      ),
    );
    this.residual =
      cin === cout && stride === 1
        ? 'identity'
        : this.registerModule(
            'residual',
            new Sequential(new Conv2d(cin, cout, 1, { stride: [stride, 1], rng }), new BatchNorm2d(cout)),
          );
  }
  forward(x: Tensor, a: Tensor): Tensor {
    const res = this.residual === 'identity' ? x : this.residual.forward(x);
    return relu(add(this.tcn.forward(this.gcn.forward(x, a)), res));
  }
}

/** Conv biases whose output goes straight into a BatchNorm, with the weight of the same conv. */
const BIASES_BEFORE_BN: Record<string, string> = {
  'tcn.2.bias': 'tcn.2.weight',
  'residual.0.bias': 'residual.0.weight',
};

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

function asDtype(t: Tensor, dtype: DType, requiresGrad = false): Tensor {
  return new Tensor(
    dtype === 'float64' ? Float64Array.from(t.data) : Float32Array.from(t.data),
    t.shape,
    requiresGrad,
  );
}

function run(file: string, dtype: DType, tol: number) {
  const f: SafetensorsFile = loadFixture(file);
  const meta = (k: string) => Number(f.metadata[k]);
  const block = new StGcnBlock(meta('cin'), meta('cout'), meta('K'), meta('stride'), new Rng(0)).to(dtype);
  const names = [...block.stateDict().keys()];
  block.loadStateDict(new Map(names.map((k) => [k, f.tensors.get(k)!])));
  const importance = asDtype(getTensor(f, 'edge_importance'), dtype, true);
  const a = asDtype(getTensor(f, 'A'), dtype);
  const r = asDtype(getTensor(f, 'R'), dtype);

  // Training mode: batch statistics, running stats updated once.
  block.train();
  const x = asDtype(getTensor(f, 'x'), dtype, true);
  const out = block.forward(x, mul(a, importance));
  const loss = sum(mul(out, r));
  loss.backward();
  expectClose('train.out', out, getTensor(f, 'train.out'), tol);
  expectClose('train.loss', reshape(loss, [1]), getTensor(f, 'train.loss'), tol);
  expectClose('train.grad.x', x.grad, getTensor(f, 'train.grad.x'), tol);
  expectClose('train.grad.edge_importance', importance.grad, getTensor(f, 'train.grad.edge_importance'), tol);
  for (const [name, p] of block.namedParameters()) {
    const expected = getTensor(f, `train.grad.${name}`);
    const feedsBn = BIASES_BEFORE_BN[name];
    if (feedsBn === undefined) {
      expectClose(`train.grad.${name}`, p.grad, expected, tol);
      continue;
    }
    // A conv bias followed by a training-mode BN has an exactly zero gradient (BN subtracts the batch mean);
    // both engines return rounding noise, so measure it against the scale of the same conv's weight gradient.
    const scale = maxAbs(getTensor(f, `train.grad.${feedsBn}`).data);
    expect(maxAbs(expected.data), `${name}: torch's gradient should be zero`).toBeLessThanOrEqual(
      1e-12 * scale,
    );
    expect(maxAbs(p.grad!.data) / scale, `train.grad.${name} relative to ${feedsBn}`).toBeLessThanOrEqual(
      tol,
    );
  }
  for (const [name, b] of block.namedBuffers()) {
    if (b instanceof IntTensor) expect(b.item(), `after.${name}`).toBe(getInt(f, `after.${name}`).item());
    else expectClose(`after.${name}`, b, getTensor(f, `after.${name}`), tol);
  }

  // Eval mode: the running statistics just updated.
  block.eval();
  const xe = asDtype(getTensor(f, 'x'), dtype, true);
  const oute = block.forward(xe, mul(a, importance.detach()));
  sum(mul(oute, r)).backward();
  expectClose('eval.out', oute, getTensor(f, 'eval.out'), tol);
  expectClose('eval.grad.x', xe.grad, getTensor(f, 'eval.grad.x'), tol);
  return block;
}

describe('ST-GCN block vs PyTorch', () => {
  for (const [file, what] of [
    ['golden_stgcn_s1.safetensors', 'stride 1, identity residual'],
    ['golden_stgcn_s2.safetensors', 'stride 2, conv + BN residual'],
  ] as const) {
    it(`${what}: float32 within 1e-4`, () => {
      run(file, 'float32', 1e-4);
    });
    it(`${what}: float64 within 1e-9`, () => {
      run(file, 'float64', 1e-9);
    });
  }

  it("state dict names and parameter count are PyTorch's", () => {
    const f = loadFixture('golden_stgcn_s2.safetensors');
    const block = new StGcnBlock(4, 6, 3, 2, new Rng(0));
    const torchKeys = [...f.tensors.keys()].filter(
      (k) => !/^(train|after|eval)\.|^(A|x|R|edge_importance)$/.test(k),
    );
    expect([...block.stateDict().keys()]).toEqual(torchKeys);
    // gcn 4*18+18, tcn BN 12, conv 6*6*9+6, BN 12, residual 4*6+6, BN 12
    expect(block.numParameters()).toBe(4 * 18 + 18 + 12 + 6 * 6 * 9 + 6 + 12 + 4 * 6 + 6 + 12);
  });
});
