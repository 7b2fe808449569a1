#!/usr/bin/env node
// One point of the demo-benchmark search (issue 18): pretrain one method on the demo's synthetic
// data with the given settings, then score its frozen features (linear probe, kNN) and whether they
// collapsed (effective rank, top direction's share). Prints one JSON line per encoder set.
// Usage: node tools/evidence/probe.mjs --method pstl|asma|barlow-twins|none|none-pair [--lambda 4.8e-3] --seed 0 [--epochs 8] [--per-class 20]
//        [--frames 30] [--cameras 3] [--projector 256] [--base 4] [--features 32] [--lr 2e-3] [--batch 32] [--out DIR]
// Needs `pnpm build`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DEMO } from '../../packages/asma/dist/demo/config.js';
import { methodOptions, prepareData, pretrainMethod, scoreFeatures } from '../../packages/asma/dist/demo/run.js';
import {
  balancedLambda,
  classCount,
  encodeClips,
  joinFeatures,
  requireLabels,
  StGcn,
} from '../../packages/trainer/dist/index.js';
import { Rng } from '../../packages/util/dist/index.js';

const { values: v } = parseArgs({
  options: {
    method: { type: 'string', default: 'pstl' },
    lambda: { type: 'string' },
    seed: { type: 'string', default: '0' },
    epochs: { type: 'string' },
    'per-class': { type: 'string' },
    frames: { type: 'string' },
    cameras: { type: 'string' },
    projector: { type: 'string' },
    base: { type: 'string' },
    features: { type: 'string' },
    lr: { type: 'string' },
    batch: { type: 'string' },
    out: { type: 'string' },
  },
});
const num = (s, d) => (s === undefined ? d : Number(s));
const c = {
  ...DEFAULT_DEMO,
  seed: num(v.seed, 0),
  pretrainEpochs: num(v.epochs, DEFAULT_DEMO.pretrainEpochs),
  perClass: num(v['per-class'], DEFAULT_DEMO.perClass),
  frames: num(v.frames, DEFAULT_DEMO.frames),
  cameras: num(v.cameras, DEFAULT_DEMO.cameras),
  projectorWidth: num(v.projector, DEFAULT_DEMO.projectorWidth),
  base: num(v.base, DEFAULT_DEMO.base),
  features: num(v.features, DEFAULT_DEMO.features),
  lr: num(v.lr, DEFAULT_DEMO.lr),
  batchSize: num(v.batch, DEFAULT_DEMO.batchSize),
};
// Balanced for the projector width unless given, as asma demo does.
c.lambda = num(v.lambda, balancedLambda(c.projectorWidth));
const out = v.out ?? mkdtempSync(join(tmpdir(), 'asma-probe-'));
const data = prepareData(c, join(out, 'data'));
const classes = Math.max(classCount(data.train), classCount(data.val));
const trainLabels = requireLabels(data.train);
const valLabels = requireLabels(data.val);

async function score(name, encoders, extra) {
  const f = async (part) => {
    const parts = [];
    for (const e of encoders) parts.push({ features: await encodeClips(e, data[part]), dim: e.outChannels });
    return joinFeatures(parts);
  };
  const tr = await f('train');
  const va = await f('val');
  const r = await scoreFeatures(c, classes, { ...tr, labels: trainLabels }, { ...va, labels: valLabels });
  console.log(
    JSON.stringify({
      set: name,
      seed: c.seed,
      lambda: c.lambda,
      epochs: c.pretrainEpochs,
      projector: c.projectorWidth,
      linear: +(r.valAccuracy * 100).toFixed(1),
      knn: +(r.knnAccuracy * 100).toFixed(1),
      effectiveRank: +r.effectiveRank.toFixed(2),
      correlationRank: +r.correlationRank.toFixed(2),
      topShare: +r.topShare.toFixed(3),
      ...extra,
    }),
  );
}

if (v.method === 'none') {
  await score('untrained', [new StGcn({ ...methodOptions(c).encoder, rng: new Rng(c.seed).fork() })], {});
} else if (v.method === 'none-pair') {
  // Two untrained encoders side by side: the baseline with A+B's parameters (the first is 'none''s encoder).
  const rng = new Rng(c.seed);
  const o = methodOptions(c).encoder;
  await score('untrained A+B', [new StGcn({ ...o, rng: rng.fork() }), new StGcn({ ...o, rng: rng.fork() })], {});
} else {
  const t0 = performance.now();
  const { method, history } = await pretrainMethod(c, v.method, data.train, join(out, v.method));
  const extra = { seconds: +((performance.now() - t0) / 1000).toFixed(1), lastLoss: +history.at(-1).loss.toFixed(2) };
  const encs = method.encoders.map((e) => e.encoder);
  if (encs.length === 2) {
    await score(`${v.method} A+B`, encs, extra);
    await score(`${v.method} A`, [encs[0]], extra);
    await score(`${v.method} B`, [encs[1]], extra);
  } else await score(v.method, encs, extra);
}
