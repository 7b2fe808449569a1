import { generateSynthetic } from '@asma/skeleton';
import { ActionClassifier, type ClipDataset, StGcn, type StGcnBlockSpec } from '@asma/trainer';
import { Rng } from '@asma/util';

/** A small labelled synthetic clip set (fast enough for unit tests). */
export function tinyDataset(
  opts: { perClass?: number; classes?: number; frames?: number; seed?: number } = {},
): ClipDataset {
  const ds = generateSynthetic({
    seed: opts.seed ?? 0,
    samplesPerClass: opts.perClass ?? 4,
    classes: opts.classes ?? 4,
    frames: opts.frames ?? 16,
  });
  return { clips: { data: ds.data, shape: ds.shape }, labels: ds.labels, source: 'synthetic' };
}

/** Non-trivial BN statistics and affine parameters, and edge importance away from 1, so copies are really tested. */
export function randomizeStats(model: StGcn | ActionClassifier, seed = 1): void {
  const rng = new Rng(seed);
  for (const [name, t] of model.stateDict()) {
    if (!('dtype' in t) || name.endsWith('A')) continue;
    const d = t.data as Float32Array;
    if (name.endsWith('running_var')) for (let i = 0; i < d.length; i++) d[i] = 0.5 + rng.next();
    else if (name.endsWith('running_mean') || name.endsWith('.bias'))
      for (let i = 0; i < d.length; i++) d[i] = 0.3 * rng.normal();
    else if (/(data_bn|tcn\.[03]|residual\.1)\.weight$/.test(name) || name.includes('edge_importance'))
      for (let i = 0; i < d.length; i++) d[i] = 0.6 + 0.8 * rng.next();
  }
}

export const tinyPlan: StGcnBlockSpec[] = [
  { in: 3, out: 6, stride: 1, residual: false },
  { in: 6, out: 6, stride: 1, residual: true },
  { in: 6, out: 8, stride: 2, residual: true },
];

export function tinyClassifier(
  classes = 4,
  seed = 0,
  edgeImportance = true,
  plan = tinyPlan,
): ActionClassifier {
  const rng = new Rng(seed);
  const enc = new StGcn({ rng: rng.fork(), blocks: plan, temporalKernel: 3, dropout: 0, edgeImportance });
  return new ActionClassifier(enc, classes, rng.fork());
}

/**
 * An eval-mode classifier of random shape (block widths and strides, temporal kernel, classes) with
 * non-trivial statistics: the compiled plans' property tests draw these. Returns the rng for inputs.
 */
export function randomClassifier(a: {
  widths: number[];
  strides: number[];
  kt: number;
  classes: number;
  importance: boolean;
  seed: number;
}): { model: ActionClassifier; rng: Rng } {
  const rng = new Rng(a.seed);
  let prev = 3;
  const blocks: StGcnBlockSpec[] = a.widths.map((w, i) => {
    const b = { in: prev, out: w, stride: a.strides[i]!, residual: i > 0 };
    prev = w;
    return b;
  });
  const enc = new StGcn({
    rng: rng.fork(),
    blocks,
    temporalKernel: a.kt,
    dropout: 0,
    edgeImportance: a.importance,
  });
  const model = new ActionClassifier(enc, a.classes, rng.fork());
  randomizeStats(model, a.seed + 1);
  model.eval();
  return { model, rng };
}
