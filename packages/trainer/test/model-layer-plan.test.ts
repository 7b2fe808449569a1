/**
 * The layer plan is what inference, ONNX export, pruning and int8 read: its keys must name the
 * classifier's own state-dict entries, it must cover every weight but the adjacency, data shared by
 * the blocks, and its adjacency must be A times the block's edge importance.
 */

import { ActionClassifier, blockOutFrames, layerPlan, planBlocks, StGcn } from '@asma/trainer';
import { Rng } from '@asma/util';
import { expect, it } from 'vitest';

function classifier() {
  const rng = new Rng(5);
  const enc = new StGcn({
    rng,
    blocks: [
      { in: 3, out: 4, stride: 1, residual: false },
      { in: 4, out: 4, stride: 1, residual: true },
      { in: 4, out: 6, stride: 2, residual: true },
    ],
    temporalKernel: 3,
  });
  return new ActionClassifier(enc, 5, rng);
}

it('lists the layers in order with keys of the state dict', () => {
  const model = classifier();
  const plan = layerPlan(model);
  expect(plan.layers.map((l) => l.kind)).toEqual(['dataNorm', 'block', 'block', 'block', 'pool', 'linear']);
  expect(planBlocks(plan).map((b) => b.residual.kind)).toEqual(['none', 'identity', 'conv']);
  const sd = new Set(model.stateDict().keys());
  const covered = new Set<string>();
  const cover = (key: string, names: Iterable<string>) => {
    for (const n of names) {
      expect(sd.has(`${key}.${n}`), `${key}.${n}`).toBe(true);
      covered.add(`${key}.${n}`);
    }
  };
  for (const l of plan.layers) {
    if (l.kind === 'dataNorm') cover(l.bn.key, l.bn.module.stateDict().keys());
    if (l.kind === 'linear') cover(l.linear.key, l.linear.module.stateDict().keys());
    if (l.kind !== 'block') continue;
    const parts = [l.graphConv.conv, l.norm, l.temporalConv.conv, l.temporalConv.bn];
    if (l.residual.kind === 'conv') parts.push(l.residual.conv, l.residual.bn);
    for (const p of parts) cover(p.key, p.module.stateDict().keys());
  }
  const left = [...sd].filter((k) => !covered.has(k));
  expect(left).toEqual([
    'encoder.A',
    'encoder.edge_importance.0',
    'encoder.edge_importance.1',
    'encoder.edge_importance.2',
  ]);
});

it('carries A times edge importance and the temporal geometry', () => {
  const model = classifier();
  const imp = model.encoder.edgeImportance!.at(2);
  for (let j = 0; j < imp.data.length; j++) imp.data[j] = 1 + (j % 7) / 10;
  const b = planBlocks(layerPlan(model))[2]!;
  const a = model.encoder.A.data;
  expect(Array.from(b.graphConv.adjacency)).toEqual(Array.from(a, (x, j) => Math.fround(x * imp.data[j]!)));
  expect(b.temporalConv).toMatchObject({ kt: 3, stride: 2, pad: 1 });
  expect(blockOutFrames(b, 12)).toBe(6);
  expect(blockOutFrames(b, 11)).toBe(6);
});
