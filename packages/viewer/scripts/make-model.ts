/**
 * Make the page's model fixture once (fixtures/student.safetensors, committed): a small ST-GCN
 * student (4 blocks, 8 -> 16 channels, no edge importance, the plan of @asma/compress's
 * studentPlan) fine-tuned from scratch on the synthetic benchmark's cross-subject training clips.
 *   cd packages/viewer && node scripts/run-ts.mjs scripts/make-model.ts [epochs] [out]
 */
import { resolve } from 'node:path';
import { Rng } from '@asma/util';
import { generateSynthetic, splitSynthetic } from '@asma/skeleton';
import { architectureOf, evaluateClassifier, finetune, STGCN_METADATA_KEY, StGcn } from '@asma/trainer';
import { saveCheckpoint } from '@asma/trainer/node';
import { CLASS_NAMES_KEY } from '../src/core/model.js';

const epochs = Number(process.argv[2] ?? 20);
const out = resolve(process.argv[3] ?? 'fixtures/student.safetensors');
const ds = generateSynthetic({ seed: 1, samplesPerClass: 20, subjects: 10 });
const { train, val } = splitSynthetic(ds, 'xsub');
const encoder = new StGcn({
  rng: new Rng(0),
  blocks: [
    { in: 3, out: 8, stride: 1, residual: false },
    { in: 8, out: 8, stride: 1, residual: true },
    { in: 8, out: 16, stride: 2, residual: true },
    { in: 16, out: 16, stride: 1, residual: true },
  ],
  edgeImportance: false,
  dropout: 0,
});
const t0 = performance.now();
const { model } = await finetune({
  encoder,
  train: { clips: train, labels: train.labels, source: 'synthetic xsub train' },
  epochs,
  batchSize: 32,
  lr: 1e-2,
  seed: 0,
  progress: 'student',
});
const acc = await evaluateClassifier(model, { clips: val, labels: val.labels, source: 'synthetic xsub val' });
saveCheckpoint(model, out, {
  [STGCN_METADATA_KEY]: JSON.stringify(architectureOf(model.encoder)),
  'asma.classes': String(model.fc.outFeatures),
  [CLASS_NAMES_KEY]: JSON.stringify(ds.classNames),
  'asma.valAccuracy': acc.toFixed(4),
  'asma.trainedOn': `synthetic benchmark seed 1, 20 clips per class, xsub train, ${epochs} epochs`,
});
console.log(`${out}: val accuracy ${(acc * 100).toFixed(1)} % after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
