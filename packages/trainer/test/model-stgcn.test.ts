import { gradCheck, IntTensor, noGrad, randn, Tensor } from '@asma/autodiff';
import { adjacency, NTU25 } from '@asma/skeleton';
import { Rng } from '@asma/util';
import { describe, expect, it } from 'vitest';
import { STGCN16_PARAMETERS, StGcn } from '../src/model/stgcn.js';
import { loadCheckpoint } from '../src/node/checkpoint.js';
import { expectClose, getInts, getTensor, loadFixture, withPrefix } from './model-fixtures.js';

/** Conv biases directly followed by BatchNorm: tcn.2 (-> tcn.3) and residual.0 (-> residual.1). */
const STRUCTURAL_ZERO = /\.(tcn\.2|residual\.0)\.bias$/;

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

function leaf(t: Tensor): Tensor {
  return new Tensor(t.data.slice(), t.shape, true);
}

describe('StGcn structure', () => {
  it('has exactly the 821,380 parameters of PyTorch ST-GCN-16 (PSTL)', () => {
    const model = new StGcn({ rng: new Rng(1) });
    expect(model.numParameters()).toBe(STGCN16_PARAMETERS);
    expect(STGCN16_PARAMETERS).toBe(821_380);
  });

  it('uses the PyTorch state-dict names and shapes', () => {
    const model = new StGcn({ rng: new Rng(1) });
    const ours = model.stateDict();
    const torch = loadFixture('stgcn16.safetensors').tensors;
    expect([...ours.keys()]).toEqual([...torch.keys()]);
    for (const [k, v] of torch) expect([...ours.get(k)!.shape], k).toEqual([...v.shape]);
    expect(ours.get('st_gcn_networks.0.residual.0.weight')).toBeUndefined();
    expect(ours.get('st_gcn_networks.9.residual.0.weight')!.shape).toEqual([256, 64, 1, 1]);
  });

  it('holds the spatial adjacency as a buffer and edge importance initialised to ones', () => {
    const model = new StGcn({ rng: new Rng(1) });
    expect(Array.from(model.A.data)).toEqual(Array.from(adjacency(NTU25, 'spatial').data));
    // ... which is the A the PyTorch reference script builds (reference graph code, quirk included).
    expect(Array.from(model.A.data)).toEqual(
      Array.from(getTensor(loadFixture('stgcn16.safetensors'), 'A').data),
    );
    expect(model.A.requiresGrad).toBe(false);
    expect(model.parameters()).not.toContain(model.A);
    const imp = model.edgeImportance!.at(3);
    expect(imp.shape).toEqual([3, 25, 25]);
    expect(imp.data.every((x) => x === 1)).toBe(true);
  });

  it('builds narrower students and custom block lists', () => {
    const half = new StGcn({ rng: new Rng(1), widthMultiplier: 0.5 });
    expect(half.plan[0]!.out).toBe(8);
    expect(half.outChannels).toBe(128);
    const tiny = new StGcn({
      rng: new Rng(1),
      blocks: [
        { in: 3, out: 8, stride: 1, residual: false },
        { in: 8, out: 16, stride: 2, residual: true },
      ],
      edgeImportance: false,
    });
    expect(tiny.outChannels).toBe(16);
    expect([...tiny.stateDict().keys()].some((k) => k.startsWith('edge_importance'))).toBe(false);
    const y = noGrad(() =>
      tiny.eval().forward(new Tensor(new Float32Array(2 * 3 * 12 * 25 * 1).fill(0.5), [2, 3, 12, 25, 1])),
    );
    expect(y.shape).toEqual([2, 16]);
    expect(
      () => new StGcn({ rng: new Rng(1), blocks: [{ in: 4, out: 8, stride: 1, residual: false }] }),
    ).toThrow(/block 0 takes 4 channels/);
  });

  it('rejects inputs of the wrong shape and bad joint lists', () => {
    const model = new StGcn({ rng: new Rng(1), baseChannels: 2, outChannels: 4, frames: 10 });
    const x = new Tensor(new Float32Array(1 * 3 * 10 * 25 * 1), [1, 3, 10, 25, 1]);
    expect(() => model.forward(new Tensor(new Float32Array(3 * 10 * 25), [3, 10, 25]))).toThrow(
      /input must be \(N, 3, 10, 25, M\), got \[3, 10, 25\]/,
    );
    expect(() => model.forward(x, { keptJoints: [0, 0] })).toThrow(/listed twice/);
    expect(() => model.forward(x, { keptJoints: [25] })).toThrow(/outside 0..24/);
  });
});

describe('StGcn vs PyTorch', () => {
  it('ST-GCN-16 eval output matches (all joints and with joints removed)', () => {
    const model = new StGcn({ rng: new Rng(1) });
    loadCheckpoint(model, loadFixture('stgcn16.safetensors'));
    model.eval();
    const io = loadFixture('stgcn16-io.safetensors');
    const x = getTensor(io, 'input');
    const y = noGrad(() => model.forward(x));
    expectClose('output', y, getTensor(io, 'output'));
    const kept = getInts(io, 'kept');
    const yk = noGrad(() => model.forward(x, { keptJoints: kept }));
    expectClose('output_kept', yk, getTensor(io, 'output_kept'));
  });

  for (const prefix of ['', 'kept.']) {
    it(`small ST-GCN in training mode: output, every gradient and BN running stats (${prefix === '' ? 'all joints' : 'joints removed'})`, () => {
      const f = loadFixture('stgcn-small-train.safetensors');
      const model = new StGcn({ rng: new Rng(1), baseChannels: 4, outChannels: 16, dropout: 0 });
      const params = withPrefix(f, `${prefix}param.`);
      loadCheckpoint(model, { tensors: params, dtypes: new Map(), metadata: {} });
      model.train();
      const x = leaf(getTensor(f, `${prefix}input`));
      const kept = prefix === '' ? undefined : getInts(f, `${prefix}kept`);
      const y = model.forward(x, { keptJoints: kept });
      expectClose('output', y, getTensor(f, `${prefix}output`));
      const loss = y.mul(getTensor(f, `${prefix}loss_weight`)).sum();
      expectClose('loss', loss.reshape([1]), getTensor(f, `${prefix}loss`));
      loss.backward();
      expectClose('grad input', x.grad, getTensor(f, `${prefix}grad.input`));
      const named = model.namedParameters();
      expect(named.length).toBe(withPrefix(f, `${prefix}grad.`).size - 1);
      for (const [name, p] of named) {
        const expected = getTensor(f, `${prefix}grad.${name}`);
        if (STRUCTURAL_ZERO.test(name)) {
          // A conv bias feeding a training-mode BN has an exactly zero gradient (BN removes the mean), so
          // PyTorch's value is float64 round-off and the relative metric is undefined: compare against the
          // scale of the same conv's weight gradient instead.
          const scale = maxAbs(getTensor(f, `${prefix}grad.${name.replace(/bias$/, 'weight')}`).data);
          expect(maxAbs(p.grad!.data), `grad ${name} (structurally zero)`).toBeLessThanOrEqual(1e-4 * scale);
          expect(maxAbs(expected.data)).toBeLessThanOrEqual(1e-12 * scale);
        } else {
          expectClose(`grad ${name}`, p.grad, expected);
        }
      }
      for (const [name, b] of model.namedBuffers()) {
        if (name === 'A') continue;
        const after = f.tensors.get(`${prefix}after.${name}`)!;
        if (b instanceof IntTensor) expect(b.item(), name).toBe((after as IntTensor).item());
        else expectClose(`buffer ${name}`, b, after as Tensor);
      }
    });
  }
});

describe('StGcn gradient check (float64)', () => {
  for (const kept of [undefined, [0, 2, 3, 5, 8, 13, 20, 21, 24]]) {
    it(`input gradient of a tiny training-mode encoder matches central differences${kept ? ' (joints removed)' : ''}`, () => {
      const rng = new Rng(11);
      const model = new StGcn({
        rng,
        dtype: 'float64',
        dropout: 0,
        blocks: [
          { in: 3, out: 3, stride: 1, residual: false },
          { in: 3, out: 4, stride: 2, residual: true },
          { in: 4, out: 4, stride: 1, residual: true },
        ],
        temporalKernel: 3,
      });
      for (let i = 0; i < 3; i++) {
        const imp = model.edgeImportance!.at(i).data;
        for (let j = 0; j < imp.length; j++) imp[j] = rng.uniform(0.5, 1.5);
      }
      model.train();
      const x = randn([2, 3, 6, 25, 1], rng, { dtype: 'float64' });
      gradCheck((t) => model.forward(t!, { keptJoints: kept }), [x], {
        rtol: 1e-5,
        atol: 1e-8,
        maxElements: 150,
      });
    });
  }
});
