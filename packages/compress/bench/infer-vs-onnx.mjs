#!/usr/bin/env node
/**
 * asma's compiled inference plan vs onnxruntime-node on asma's ONNX export of the same model, at
 * batch 1 (and any --batches), interleaved in one process (CPU; asma one thread, onnxruntime
 * --threads intra-op threads). Models: the demo student (createStudent(16), 30 frames) and ST-GCN-16
 * (PSTL plan, 60 classes, 50 frames), random weights (the timing does not depend on them).
 * Run after `pnpm build`: node packages/compress/bench/infer-vs-onnx.mjs [--threads 1] [--reps 50]
 */
import { parseArgs } from 'node:util';
import { randn } from '@asma/autodiff';
import { Rng } from '@asma/util';
import { ActionClassifier, StGcn } from '@asma/trainer';
import { benchAgainstOnnx, createStudent } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '1' },
    reps: { type: 'string', default: '50' },
    batches: { type: 'string', default: '1' },
  },
});
const threads = Number(values.threads);
const reps = Number(values.reps);
const sizes = values.batches.split(',').map(Number);
const rng = new Rng(3);
const models = [
  ['demo student', createStudent(16, {}, 1), 30],
  ['ST-GCN-16', new ActionClassifier(new StGcn({ rng: rng.fork() }), 60, rng.fork()), 50],
];
console.log(`CPU; asma: compiled plan, 1 thread; onnxruntime-node: ${threads} intra-op thread(s); median of ${reps}`);
console.log('| model | parameters | batch | asma ms/clip | onnxruntime ms/clip | asma / onnxruntime | max rel. logit diff |');
console.log('|---|---|---|---|---|---|---|');
for (const [name, model, frames] of models) {
  const batches = sizes.map((n) => {
    const x = randn([n, 3, frames, 25, 2], rng);
    return { data: x.data, shape: x.shape };
  });
  const r = await benchAgainstOnnx(model, batches, { threads, reps });
  if (!r.ran) {
    console.log(`onnxruntime not run: ${r.reason}`);
    process.exit(1);
  }
  for (const row of r.rows)
    console.log(
      `| ${name} | ${model.numParameters().toLocaleString('en-US')} | ${row.batchSize} | ${row.asmaMsPerClip.toFixed(3)} | ${row.onnxMsPerClip.toFixed(3)} | ${row.ratio.toFixed(2)}x | ${row.relativeError.toExponential(1)} |`,
    );
}
