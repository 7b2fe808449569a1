import { Rng } from '@asma/util';
import { expect, it } from 'vitest';
import { activeProfile, add, OpProfile, profileOps, randn, relu, sum } from '../src/index.js';

it('OpProfile counts forward ops and backward closures per key, scopes included', () => {
  const rng = new Rng(0);
  const x = randn([4, 5], rng, { requiresGrad: true });
  const p = new OpProfile((op, _inputs, scope) => (scope ? `${scope}/${op}` : op));
  expect(activeProfile()).toBeNull();
  profileOps(p, () => {
    p.mark();
    const y = p.scoped('block', () => relu(add(x, 1)));
    sum(relu(y)).backward();
  });
  expect(activeProfile()).toBeNull();
  expect([...p.rows.keys()].sort()).toEqual(['block/add', 'block/relu', 'relu', 'sum']);
  for (const r of p.rows.values()) {
    expect(r).toMatchObject({ forwardCalls: 1, backwardCalls: 1 });
    expect(r.forwardMs).toBeGreaterThanOrEqual(0);
    expect(r.backwardMs).toBeGreaterThanOrEqual(0);
  }
  // Nothing is collected outside profileOps.
  sum(relu(x)).backward();
  expect(p.rows.get('relu')!.forwardCalls).toBe(1);
});
