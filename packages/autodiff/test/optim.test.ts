import { describe, expect, it } from 'vitest';
import { Adam, AdamW, clipGradNorm, type Optimizer, OptimizerError, SGD } from '../src/optim/index.js';
import { Tensor } from '../src/tensor.js';
import { expectClose, getTensor, loadFixture } from './golden-helpers.js';

const fx = loadFixture('golden_optim.safetensors');

function freshParams(): Tensor[] {
  return [0, 1].map((i) => {
    const t = getTensor(fx, `p${i}`);
    return new Tensor(t.data.slice(), t.shape, true);
  });
}

function setGrads(ps: Tensor[], step: number): void {
  ps.forEach((p, i) => {
    p.grad = getTensor(fx, `grad${step}.p${i}`).clone();
  });
}

const makers: Record<string, (ps: Tensor[]) => Optimizer<{ lr: number }>> = {
  adam: (ps) => new Adam(ps, { lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.1 }),
  adamw: (ps) => new AdamW(ps, { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.05 }),
  sgd: (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, weightDecay: 0.01 }),
  nesterov: (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
};

describe('optimisers match torch.optim (golden_optim.safetensors)', () => {
  for (const [name, make] of Object.entries(makers)) {
    it(`${name}: parameters after 1 and 3 steps`, () => {
      const ps = freshParams();
      const opt = make(ps);
      for (let s = 0; s < 3; s++) {
        setGrads(ps, s);
        opt.step();
        if (s === 0)
          for (const [i, p] of ps.entries())
            expectClose(`${name}.step1.p${i}`, p, getTensor(fx, `${name}.step1.p${i}`), 1e-5);
      }
      for (const [i, p] of ps.entries())
        expectClose(`${name}.step3.p${i}`, p, getTensor(fx, `${name}.step3.p${i}`), 1e-5);
    });

    it(`${name}: a run resumed from stateDict() is bit-identical`, () => {
      const straight = freshParams();
      const a = make(straight);
      for (let s = 0; s < 3; s++) {
        setGrads(straight, s);
        a.step();
      }
      const first = freshParams();
      const b = make(first);
      setGrads(first, 0);
      b.step();
      const saved = b.stateDict();
      const savedParams = first.map((p) => p.data.slice());
      setGrads(first, 1);
      b.step(); // mutate the live state after saving: the saved copy must not change
      const resumed = savedParams.map((d, i) => new Tensor(d, first[i]!.shape, true));
      const c = make(resumed);
      c.loadStateDict(saved);
      for (let s = 1; s < 3; s++) {
        setGrads(resumed, s);
        c.step();
      }
      for (const [i, p] of resumed.entries()) expect(p.data).toEqual(straight[i]!.data);
    });
  }
});

describe('optimiser behaviour', () => {
  it('skips parameters without a gradient and zeroGrad drops gradients', () => {
    const ps = freshParams();
    const before = ps[1]!.data.slice();
    const opt = new Adam(ps, { lr: 0.1 });
    ps[0]!.grad = new Tensor(new Float32Array(12).fill(1), [4, 3]);
    opt.step();
    expect(ps[1]!.data).toEqual(before);
    opt.zeroGrad();
    expect(ps.every((p) => p.grad === null)).toBe(true);
    expect(opt.stateDict().state[1]).toBeUndefined();
  });

  it('param groups take their own hyper-parameters; lr setter sets every group', () => {
    const [p0, p1] = freshParams();
    const opt = new SGD([{ params: [p0!] }, { params: [p1!], lr: 0.5 }], { lr: 0.1 });
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.5]);
    const x0 = p1!.data[0]!;
    p1!.grad = new Tensor(new Float32Array(5).fill(1), [5]);
    opt.step();
    expect(p1!.data[0]).toBeCloseTo(x0 - 0.5, 6);
    opt.lr = 0.01;
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.01, 0.01]);
    expect(opt.stateDict().paramGroups.map((g) => g.params)).toEqual([[0], [1]]);
  });

  it('rejects bad configuration and mismatched state with named errors', () => {
    const ps = freshParams();
    expect(() => new Adam(ps, { betas: [1.2, 0.9] })).toThrow(/betas must lie in \[0, 1\)/);
    expect(() => new SGD(ps, { lr: 0.1, nesterov: true })).toThrow(/nesterov needs momentum/);
    expect(() => new SGD([], { lr: 0.1 })).toThrow(OptimizerError);
    expect(() => new SGD([ps[0]!, ps[0]!], { lr: 0.1 })).toThrow(/appears twice/);
    const frozen = new Tensor(Float32Array.from([1, 2]), [2]);
    new SGD([frozen], { lr: 0.1 }).step();
    expect([...frozen.data]).toEqual([1, 2]);
    const opt = new Adam(ps);
    const other = new Adam([ps[0]!]);
    expect(() => other.loadStateDict(opt.stateDict())).toThrow(/group 0 saved 2 params/);
    ps[0]!.grad = new Tensor(new Float32Array(5), [5]);
    expect(() => opt.step()).toThrow(/gradient \[5\] does not match parameter \[4,3\]/);
  });
});

describe('clipGradNorm', () => {
  it('scales gradients to the max norm like torch.nn.utils.clip_grad_norm_', () => {
    const a = new Tensor(new Float32Array([3, 0]), [2], true);
    const b = new Tensor(new Float32Array([4]), [1], true);
    a.grad = new Tensor(new Float32Array([3, 0]), [2]);
    b.grad = new Tensor(new Float32Array([4]), [1]);
    const total = clipGradNorm([a, b], 1);
    expect(total).toBeCloseTo(5, 6);
    const coef = 1 / (5 + 1e-6);
    expect(a.grad.data[0]).toBeCloseTo(3 * coef, 6);
    expect(b.grad.data[0]).toBeCloseTo(4 * coef, 6);
    // Below the threshold nothing changes.
    expect(clipGradNorm([a, b], 10)).toBeCloseTo(1, 5);
    expect(b.grad.data[0]).toBeCloseTo(4 * coef, 6);
    expect(clipGradNorm([a, b], 0.1, Number.POSITIVE_INFINITY)).toBeCloseTo(4 * coef, 6);
  });
});
