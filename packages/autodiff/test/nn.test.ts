import { Rng } from '@asma/util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { noGrad } from '../src/grad/mode.js';
import { IntTensor } from '../src/io/int-tensor.js';
import {
  BatchNorm1d,
  BatchNorm2d,
  Conv2d,
  Dropout,
  Identity,
  LayerNorm,
  Linear,
  type Module,
  ModuleList,
  MultiheadAttention,
  ParameterList,
  ReLU,
  Sequential,
  StateDictError,
} from '../src/nn/index.js';
import { mul } from '../src/ops/elementwise.js';
import { sum } from '../src/ops/reduce.js';
import { randn, Tensor } from '../src/tensor.js';
import { gradCheck } from '../src/testing/gradcheck.js';

/**
 * Gradient check of a module's parameters: analytic gradients of sum(forward(x) * w) against central
 * differences on each parameter element (float64). Any Dropout must have p = 0 or be in eval mode.
 */
function checkParamGrads(module: Module, forward: () => Tensor, maxPerParam = 40): void {
  const out = forward();
  const rng = new Rng(7);
  const w = new Tensor(
    Float64Array.from({ length: out.size }, () => rng.uniform(-1, 1)),
    out.shape,
  );
  module.zeroGrad();
  sum(mul(forward(), w)).backward();
  const objective = () => noGrad(() => sum(mul(forward(), w)).item());
  for (const [name, p] of module.namedParameters()) {
    expect(p.dtype).toBe('float64');
    const step = Math.max(1, Math.floor(p.size / maxPerParam));
    for (let j = 0; j < p.size; j += step) {
      const orig = p.data[j]!;
      p.data[j] = orig + 1e-6;
      const fp = objective();
      p.data[j] = orig - 1e-6;
      const fm = objective();
      p.data[j] = orig;
      const numeric = (fp - fm) / 2e-6;
      const analytic = p.grad?.data[j] ?? 0;
      const ok =
        Math.abs(analytic - numeric) <= 1e-7 + 1e-5 * Math.max(Math.abs(analytic), Math.abs(numeric));
      expect(ok, `${name}[${j}]: analytic ${analytic} vs numeric ${numeric}`).toBe(true);
    }
  }
}

function x64(shape: number[], seed: number, requiresGrad = false): Tensor {
  const t = randn(shape, new Rng(seed), { dtype: 'float64' });
  t.requiresGrad = requiresGrad;
  return t;
}

describe('Module registry', () => {
  const rng = new Rng(1);
  const net = new Sequential(
    new Linear(4, 8, { rng }),
    new BatchNorm1d(8),
    new ReLU(),
    new Dropout(0.5, rng),
    new Linear(8, 3, { rng, bias: false }),
  );

  it('names, orders and counts parameters and buffers like PyTorch', () => {
    expect(net.namedParameters().map(([n]) => n)).toEqual([
      '0.weight',
      '0.bias',
      '1.weight',
      '1.bias',
      '4.weight',
    ]);
    expect(net.namedBuffers().map(([n]) => n)).toEqual([
      '1.running_mean',
      '1.running_var',
      '1.num_batches_tracked',
    ]);
    expect([...net.stateDict().keys()]).toEqual([
      '0.weight',
      '0.bias',
      '1.weight',
      '1.bias',
      '1.running_mean',
      '1.running_var',
      '1.num_batches_tracked',
      '4.weight',
    ]);
    expect(net.numParameters()).toBe(4 * 8 + 8 + 8 + 8 + 8 * 3);
    expect(net.namedChildren().map(([n]) => n)).toEqual(['0', '1', '2', '3', '4']);
    expect(net.parameters().every((p) => p.requiresGrad)).toBe(true);
    const bnt = net.stateDict().get('1.num_batches_tracked');
    expect(bnt).toBeInstanceOf(IntTensor);
    expect((bnt as IntTensor).dtype).toBe('int64');
  });

  it('train()/eval() reach every descendant; apply visits children first; zeroGrad clears', () => {
    net.eval();
    expect(net.modulesList().every((m) => !m.training)).toBe(true);
    net.train();
    expect(net.modulesList().every((m) => m.training)).toBe(true);
    const order: string[] = [];
    net.apply((m) => order.push(m.constructor.name));
    expect(order).toEqual(['Linear', 'BatchNorm1d', 'ReLU', 'Dropout', 'Linear', 'Sequential']);
    sum(net.forward(randn([5, 4], new Rng(2)))).backward();
    expect(net.parameters().every((p) => p.grad !== null)).toBe(true);
    net.zeroGrad();
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('registers nothing twice and rejects dotted names', () => {
    class Bad extends Linear {
      constructor() {
        super(1, 1, { rng: new Rng(0) });
        this.registerBuffer('weight', null);
      }
    }
    expect(() => new Bad()).toThrow(/"weight" is already registered/);
  });
});

describe('stateDict / loadStateDict', () => {
  const make = (seed: number) => {
    const rng = new Rng(seed);
    return new Sequential(
      new Conv2d(3, 4, 1, { rng }),
      new BatchNorm2d(4),
      new ReLU(),
      new Conv2d(4, 4, [3, 1], { padding: [1, 0], rng }),
    );
  };

  it('copies values in place (tensor identity kept) and reproduces outputs', () => {
    const a = make(1);
    const b = make(2);
    const x = randn([2, 3, 5, 2], new Rng(3));
    a.train();
    a.forward(x); // move running stats and num_batches_tracked away from their initial values
    const w = b.parameters()[0]!;
    b.loadStateDict(a.stateDict());
    expect(b.parameters()[0]).toBe(w);
    a.eval();
    b.eval();
    expect(b.forward(x).data).toEqual(a.forward(x).data);
    expect((b.stateDict().get('1.num_batches_tracked') as IntTensor).item()).toBe(1);
  });

  it('strict mode names missing and unexpected keys; non-strict reports them', () => {
    const a = make(1);
    const sd = a.stateDict();
    sd.delete('3.bias');
    sd.set('extra.weight', new Tensor(new Float32Array(1), [1]));
    expect(() => a.loadStateDict(sd)).toThrow(StateDictError);
    expect(() => a.loadStateDict(sd)).toThrow(/missing keys "3\.bias"; unexpected keys "extra\.weight"/);
    expect(a.loadStateDict(sd, { strict: false })).toEqual({
      missingKeys: ['3.bias'],
      unexpectedKeys: ['extra.weight'],
    });
  });

  it('shape mismatches throw naming the key and both shapes, leaving the module untouched', () => {
    const a = make(1);
    const before = a.parameters()[0]!.data.slice();
    const sd = make(2).stateDict();
    sd.set('3.weight', new Tensor(new Float32Array(4 * 4 * 5), [4, 4, 5, 1]));
    expect(() => a.loadStateDict(sd)).toThrow(
      /"3\.weight" has shape \[4,4,5,1\] in the state dict but \[4,4,3,1\] in the model/,
    );
    expect(a.parameters()[0]!.data).toEqual(before);
    const sd2 = make(2).stateDict();
    sd2.set('1.num_batches_tracked', new Tensor(new Float32Array(1), []));
    expect(() => a.loadStateDict(sd2)).toThrow(
      /"1\.num_batches_tracked" is a float tensor in the state dict but an integer tensor/,
    );
  });

  it('to(float64) converts parameters and buffers and keeps names', () => {
    const a = make(1).to('float64');
    expect(
      [...a.stateDict().values()]
        .filter((t) => t instanceof Tensor)
        .every((t) => (t as Tensor).dtype === 'float64'),
    ).toBe(true);
    expect(a.parameters().every((p) => p.requiresGrad)).toBe(true);
  });
});

describe('default initialisation (PyTorch distributions, seeded)', () => {
  it('Linear and Conv2d: kaiming_uniform(a=sqrt(5)) weights and U(+-1/sqrt(fan_in)) biases', () => {
    const lin = new Linear(50, 40, { rng: new Rng(1) });
    const bound = 1 / Math.sqrt(50);
    const w = [...lin.weight.data];
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w)).toBeGreaterThan(0.95 * bound);
    expect(Math.min(...w)).toBeLessThan(-0.95 * bound);
    // Uniform variance bound^2 / 3.
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(variance).toBeGreaterThan((0.9 * (bound * bound)) / 3);
    expect(variance).toBeLessThan((1.1 * (bound * bound)) / 3);
    expect(Math.max(...[...lin.bias!.data].map(Math.abs))).toBeLessThanOrEqual(bound);
    const conv = new Conv2d(6, 8, [9, 1], { rng: new Rng(1) });
    const cb = 1 / Math.sqrt(6 * 9);
    expect(Math.max(...[...conv.weight.data].map(Math.abs))).toBeLessThanOrEqual(cb);
    expect(Math.max(...[...conv.weight.data].map(Math.abs))).toBeGreaterThan(0.9 * cb);
    expect(Math.max(...[...conv.bias!.data].map(Math.abs))).toBeLessThanOrEqual(cb);
    expect(new Linear(50, 40, { rng: new Rng(1) }).weight.data).toEqual(lin.weight.data);
    expect(new Linear(50, 40, { rng: new Rng(2) }).weight.data).not.toEqual(lin.weight.data);
  });

  it('BatchNorm, LayerNorm and MultiheadAttention defaults', () => {
    const bn = new BatchNorm2d(3);
    expect([...bn.weight!.data, ...bn.bias!.data, ...bn.runningMean!.data, ...bn.runningVar!.data]).toEqual([
      1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1,
    ]);
    expect(new BatchNorm1d(3, { affine: false }).numParameters()).toBe(0);
    expect(new LayerNorm([2, 3]).weight!.shape).toEqual([2, 3]);
    const mha = new MultiheadAttention(8, 2, { rng: new Rng(1) });
    const xb = Math.sqrt(6 / (8 + 24));
    expect(Math.max(...[...mha.inProjWeight.data].map(Math.abs))).toBeLessThanOrEqual(xb);
    expect(Math.max(...[...mha.inProjWeight.data].map(Math.abs))).toBeGreaterThan(0.9 * xb);
    expect([...mha.inProjBias!.data, ...mha.outProj.bias!.data].every((v) => v === 0)).toBe(true);
    expect(mha.numParameters()).toBe(3 * 64 + 24 + 64 + 8);
  });

  it('rejects bad layer arguments', () => {
    const rng = new Rng(0);
    expect(() => new Conv2d(3, 4, 3, { rng })).toThrow(/only \(kt x 1\) kernels/);
    expect(() => new Conv2d(3, 4, [3, 1], { rng, stride: 2 })).toThrow(/stride along V must be 1/);
    expect(() => new Conv2d(3, 4, [3, 1], { rng, padding: [1, 1] })).toThrow(/padding along V must be 0/);
    expect(() => new Linear(0, 4, { rng })).toThrow(/inFeatures must be a positive integer/);
    expect(() => new MultiheadAttention(10, 3, { rng })).toThrow(/not divisible/);
    expect(() => new Dropout(1.5, rng)).toThrow(/p must lie in/);
    expect(() => new Linear(4, 2, { rng }).forward(randn([3, 5], rng))).toThrow(
      /input \[3,5\] must end in 4/,
    );
    expect(() => new BatchNorm2d(4).forward(randn([2, 4, 3], rng))).toThrow(
      /BatchNorm2d\(4\): input must be \(N, 4, H, W\)/,
    );
  });
});

describe('BatchNorm running statistics and Dropout', () => {
  it('momentum null keeps a cumulative average; eval uses running stats; counter counts training batches', () => {
    const bn = new BatchNorm1d(2, { momentum: null, affine: false });
    const a = new Tensor(Float32Array.from([1, 10, 3, 30]), [2, 2]);
    const b = new Tensor(Float32Array.from([5, 0, 7, 0]), [2, 2]);
    bn.forward(a);
    bn.forward(b);
    expect([...bn.runningMean!.data]).toEqual([4, 10]);
    expect(bn.numBatchesTracked!.item()).toBe(2);
    bn.eval();
    const y = bn.forward(new Tensor(Float32Array.from([4, 10]), [1, 2]));
    expect([...y.data]).toEqual([0, 0]);
    expect(bn.numBatchesTracked!.item()).toBe(2);
  });

  it('Dropout is the identity in eval mode and reproducible from its seed in training', () => {
    const x = new Tensor(new Float32Array(1000).fill(1), [1000]);
    const d = new Dropout(0.3, new Rng(5));
    const y1 = d.forward(x);
    const zeros = [...y1.data].filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(240);
    expect(zeros).toBeLessThan(360);
    expect([...y1.data].filter((v) => v !== 0).every((v) => Math.abs(v - 1 / 0.7) < 1e-6)).toBe(true);
    expect(new Dropout(0.3, new Rng(5)).forward(x).data).toEqual(y1.data);
    d.eval();
    expect(d.forward(x)).toBe(x);
    expect(new Identity().forward(x)).toBe(x);
  });
});

describe('module gradients (float64 central differences)', () => {
  it('Linear over random shapes (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer(),
        (fin, fout, n, seed) => {
          const lin = new Linear(fin, fout, { rng: new Rng(seed), dtype: 'float64' });
          const x = x64([n, fin], seed);
          gradCheck((xi) => lin.forward(xi), [x]);
          checkParamGrads(lin, () => lin.forward(x));
        },
      ),
      { numRuns: 15 },
    );
  });

  it('Conv2d (kt x 1, stride, padding) over random shapes (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.record({
          cin: fc.integer({ min: 1, max: 3 }),
          cout: fc.integer({ min: 1, max: 3 }),
          kt: fc.integer({ min: 1, max: 3 }),
          stride: fc.integer({ min: 1, max: 2 }),
          seed: fc.integer(),
        }),
        ({ cin, cout, kt, stride, seed }) => {
          const pad = Math.floor(kt / 2);
          const conv = new Conv2d(cin, cout, [kt, 1], {
            stride: [stride, 1],
            padding: [pad, 0],
            rng: new Rng(seed),
            dtype: 'float64',
          });
          const x = x64([2, cin, 5, 2], seed);
          gradCheck((xi) => conv.forward(xi), [x]);
          checkParamGrads(conv, () => conv.forward(x));
        },
      ),
      { numRuns: 10 },
    );
  });

  it('BatchNorm1d/2d (training and eval) and LayerNorm', () => {
    const perturb = (m: Module, seed: number) => {
      const rng = new Rng(seed);
      for (const p of m.parameters()) for (let i = 0; i < p.size; i++) p.data[i] += rng.uniform(-0.5, 0.5);
      return m;
    };
    for (const training of [true, false]) {
      const bn2 = perturb(new BatchNorm2d(3, { dtype: 'float64' }), 1) as BatchNorm2d;
      bn2.runningVar!.data.set([0.5, 1.5, 2]);
      bn2.train(training);
      const x = x64([2, 3, 2, 2], 2);
      gradCheck((xi) => bn2.forward(xi), [x]);
      checkParamGrads(bn2, () => bn2.forward(x));
      const bn1 = perturb(new BatchNorm1d(4, { dtype: 'float64' }), 3) as BatchNorm1d;
      bn1.train(training);
      const z = x64([5, 4], 4);
      gradCheck((zi) => bn1.forward(zi), [z]);
      checkParamGrads(bn1, () => bn1.forward(z));
    }
    const ln = perturb(new LayerNorm([3, 2], { dtype: 'float64' }), 5) as LayerNorm;
    const y = x64([2, 3, 2], 6);
    gradCheck((yi) => ln.forward(yi), [y]);
    checkParamGrads(ln, () => ln.forward(y));
  });

  it('MultiheadAttention (inputs and parameters, with a mask)', () => {
    const mha = new MultiheadAttention(4, 2, { rng: new Rng(3), dtype: 'float64' });
    for (const p of mha.parameters()) for (let i = 0; i < p.size; i++) p.data[i] += 0.1 * Math.sin(i + 1);
    const q = x64([3, 2, 4], 1);
    const kv = x64([2, 2, 4], 2);
    const mask = new Tensor(Float64Array.from([0, -1e9, 0, 0.5, 0, 0]), [3, 2]);
    gradCheck(
      (qi, ki, vi) => mha.forward(qi!, ki!, vi!, { attnMask: mask }).output,
      [q, kv, x64([2, 2, 4], 3)],
    );
    checkParamGrads(mha, () => mha.forward(q, kv, kv).output);
    checkParamGrads(mha, () => mha.forward(q, kv, kv).weights!);
  });
});

describe('ModuleList and ParameterList', () => {
  it('name entries "0", "1", ... as torch (st_gcn_networks.{i}, edge_importance.{i})', () => {
    const rng = new Rng(0);
    class Net extends Linear {
      readonly blocks = this.registerModule(
        'st_gcn_networks',
        new ModuleList([new Linear(2, 2, { rng }), new BatchNorm1d(2)]),
      );
      readonly importance = this.registerModule(
        'edge_importance',
        new ParameterList([
          new Tensor(new Float32Array(4).fill(1), [2, 2]),
          new Tensor(new Float32Array(4).fill(1), [2, 2]),
        ]),
      );
    }
    const net = new Net(2, 2, { rng });
    expect(net.namedParameters().map(([n]) => n)).toEqual([
      'weight',
      'bias',
      'st_gcn_networks.0.weight',
      'st_gcn_networks.0.bias',
      'st_gcn_networks.1.weight',
      'st_gcn_networks.1.bias',
      'edge_importance.0',
      'edge_importance.1',
    ]);
    expect(net.blocks.length).toBe(2);
    expect(net.blocks.at(-1)).toBeInstanceOf(BatchNorm1d);
    expect([...net.importance].every((p) => p.requiresGrad)).toBe(true);
    expect(() => net.importance.at(2)).toThrow(/out of range/);
  });
});
