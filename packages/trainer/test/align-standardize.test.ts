import type { Tensor } from '@asma/autodiff';
import { Rng } from '@asma/util';
import { expect, it } from 'vitest';
import { AlignmentModule, predictAlignment, trainAlignment } from '../src/align/alignment.js';
import { fitStandardizer } from '../src/eval/linear-probe.js';
import { clusters } from './eval-synthetic.js';

it('trainAlignment standardises each encoder inside the module (buffers in the state dict)', async () => {
  const a = clusters(64, 8, 4, 1);
  const b = clusters(64, 8, 4, 2);
  // Shift and scale B's features far from unit scale: the module must absorb it.
  const bFar = b.features.map((v) => 1000 + 50 * v);
  const { module } = await trainAlignment({
    featuresA: a.features,
    featuresB: bFar,
    labels: a.labels,
    classes: 4,
    epochs: 2,
    tokens: 4,
    heads: 2,
  });
  const sd = module.stateDict();
  const sb = fitStandardizer(bFar, 8);
  expect(Array.from((sd.get('mean_b') as Tensor).data)).toEqual(Array.from(sb.mean));
  expect(Array.from((sd.get('inv_std_b') as Tensor).data)).toEqual(
    Array.from(sb.std, (v) => Math.fround(1 / v)),
  );
  // A reloaded module predicts the same classes from raw features.
  const copy = new AlignmentModule({ rng: new Rng(9), dim: 8, classes: 4, tokens: 4, heads: 2 });
  copy.loadStateDict(sd);
  expect(await predictAlignment(copy, a.features, bFar)).toEqual(
    await predictAlignment(module, a.features, bFar),
  );
  expect(() =>
    copy.setInputStandardization({ mean: new Float32Array(3), std: new Float32Array(3) }, sb),
  ).toThrow(/must have 8 features/);
});

it('a fresh module does not standardise (identity buffers)', () => {
  const m = new AlignmentModule({ rng: new Rng(0), dim: 4, classes: 2, tokens: 2, heads: 1 });
  expect(Array.from((m.stateDict().get('inv_std_a') as Tensor).data)).toEqual([1, 1, 1, 1]);
});
