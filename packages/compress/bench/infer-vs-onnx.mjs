#!/usr/bin/env node
/**
 * asma's compiled inference plan vs onnxruntime-node on asma's ONNX export of the same model, at
 * batch 1 (and any --batches), interleaved in one process (CPU; asma one thread, onnxruntime
 * --threads intra-op threads). Models: the demo student (createStudent(16), 30 frames) and ST-GCN-16
 * (PSTL plan, 60 classes, 50 frames), random weights (the timing does not depend on them).
 * The same model quantised to int8 (random calibration clips) runs as the compiled int8 plan, interleaved too.
 * Run after `pnpm build`: node packages/compress/bench/infer-vs-onnx.mjs [--threads 1] [--reps 50]
 */
import { parseArgs } from 'node:util';
import { randn } from '@asma/autodiff';
import { Rng } from '@asma/util';
import { ActionClassifier, StGcn } from '@asma/trainer';
import { benchAgainstOnnx, createStudent, quantizeClassifier } from '../dist/index.js';

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
console.log(
  '| model | parameters | batch | asma float ms/clip | onnxruntime ms/clip | asma float / onnxruntime | max rel. logit diff | asma int8 ms/clip | int8 / float | int8 logit error |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const [name, model, frames] of models) {
  const batches = sizes.map((n) => {
    const x = randn([n, 3, frames, 25, 2], rng);
    return { data: x.data, shape: x.shape };
  });
  // int8: calibrated on 32 random clips (max |x| per layer), the same weights.
  const calib = randn([32, 3, frames, 25, 2], rng);
  const int8 = quantizeClassifier(model, {
    clips: { data: calib.data, shape: calib.shape },
    labels: new Int32Array(32),
    source: 'random clips',
  });
  const r = await benchAgainstOnnx(model, batches, { threads, reps, int8 });
  if (!r.ran) {
    console.log(`onnxruntime not run: ${r.reason}`);
    process.exit(1);
  }
  for (const row of r.rows)
    console.log(
      `| ${name} | ${model.numParameters().toLocaleString('en-US')} | ${row.batchSize} | ${row.asmaMsPerClip.toFixed(3)} | ${row.onnxMsPerClip.toFixed(3)} | ${row.ratio.toFixed(2)}x | ${row.relativeError.toExponential(1)} | ${row.int8.msPerClip.toFixed(3)} | ${row.int8.ratioToFloat.toFixed(2)}x | ${row.int8.logitError.toExponential(1)} |`,
    );
}
