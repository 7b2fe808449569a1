import { IntTensor, Tensor } from '@asma/autodiff';
import { Rng } from '@asma/util';
import { describe, expect, it } from 'vitest';
import { BarlowTwinsHead } from '../src/model/barlow-twins-head.js';
import { loadCheckpoint } from '../src/node/checkpoint.js';
import { expectClose, getTensor, loadFixture, withPrefix } from './model-fixtures.js';

function leaf(t: Tensor): Tensor {
  return new Tensor(t.data.slice(), t.shape, true);
}

describe('BarlowTwinsHead vs PyTorch (width 32, training mode)', () => {
  const f = loadFixture('barlow-twins.safetensors');

  it('has PSTL names and the paper width by default', () => {
    const head = new BarlowTwinsHead({ rng: new Rng(1), width: 32 });
    expect([...head.stateDict().keys()]).toEqual([...withPrefix(f, 'param.').keys()]);
    expect(new BarlowTwinsHead({ rng: new Rng(1), width: 8 }).numParameters()).toBe(
      256 * 8 + 8 * 8 * 2 + 4 * 8,
    );
    expect(new BarlowTwinsHead({ rng: new Rng(1), width: 8 }).lambda).toBe(2e-4);
  });

  it('matches the loss, the gradients of both views and every parameter, and the running stats', () => {
    const head = new BarlowTwinsHead({ rng: new Rng(1), width: 32 });
    loadCheckpoint(head, { tensors: withPrefix(f, 'param.'), dtypes: new Map(), metadata: {} });
    head.train();
    const f1 = leaf(getTensor(f, 'f1'));
    const f2 = leaf(getTensor(f, 'f2'));
    const z1 = head.project(f1);
    const z2 = head.project(f2);
    expectClose('z1', z1, getTensor(f, 'z1'));
    expectClose('z2', z2, getTensor(f, 'z2'));
    const loss = head.lossFromProjections(z1, z2);
    expectClose('loss', loss.reshape([1]), getTensor(f, 'loss'));
    loss.backward();
    expectClose('grad f1', f1.grad, getTensor(f, 'grad.f1'));
    expectClose('grad f2', f2.grad, getTensor(f, 'grad.f2'));
    for (const [name, p] of head.namedParameters())
      expectClose(`grad ${name}`, p.grad, getTensor(f, `grad.${name}`));
    for (const [name, b] of head.namedBuffers()) {
      const after = f.tensors.get(`after.${name}`)!;
      if (b instanceof IntTensor) expect(b.item(), name).toBe((after as IntTensor).item());
      else expectClose(`buffer ${name}`, b, after as Tensor);
    }
  });

  it('forward(f1, f2) is project + lossFromProjections', () => {
    const head = new BarlowTwinsHead({ rng: new Rng(1), width: 32 });
    loadCheckpoint(head, { tensors: withPrefix(f, 'param.'), dtypes: new Map(), metadata: {} });
    expectClose(
      'loss',
      head.forward(getTensor(f, 'f1'), getTensor(f, 'f2')).reshape([1]),
      getTensor(f, 'loss'),
    );
  });
});
