// The README example, verbatim apart from the assertions.
import { Tensor } from '@asma/autodiff';
import { generateSynthetic } from '@asma/skeleton';
import { AlignmentModule, StGcn } from '@asma/trainer';
import { Rng } from '@asma/util';
import { expect, it } from 'vitest';
import {
  checkOnnx,
  distill,
  exportOnnx,
  foldedLogits,
  planChannelPruning,
  pruneChannels,
  quantizeClassifier,
  teacherFn,
} from '../src/index.js';
import {
  loadClassifierModel,
  loadQuantizedModel,
  saveClassifierModel,
  saveQuantizedModel,
} from '../src/node/index.js';

it('README example', async () => {
  const ds = generateSynthetic({ seed: 0, samplesPerClass: 4, classes: 4, frames: 16 });
  const train = { clips: { data: ds.data, shape: ds.shape }, labels: ds.labels, source: 'synthetic' };
  const rng = new Rng(0);
  const plan = [
    { in: 3, out: 8, stride: 1, residual: false },
    { in: 8, out: 8, stride: 2, residual: true },
  ];
  const teacher = {
    encoderA: new StGcn({ rng: rng.fork(), blocks: plan }),
    encoderB: new StGcn({ rng: rng.fork(), blocks: plan }),
    alignment: new AlignmentModule({ rng: rng.fork(), dim: 8, classes: 4, tokens: 2, heads: 2 }),
  };
  const { model: student } = await distill({
    teacher: teacherFn(teacher),
    train,
    student: { depth: 2, width: 4 },
    epochs: 2,
    batchSize: 8,
    progress: false,
  });
  const pruned = pruneChannels(student, planChannelPruning(student.encoder, 0.5));
  expect(pruned.numParameters()).toBeLessThan(student.numParameters());
  const int8 = quantizeClassifier(student, train, { batches: 1, batchSize: 8 });
  const floatBytes = saveClassifierModel(student, '/tmp/student.asma');
  const int8Bytes = saveQuantizedModel(int8, '/tmp/student-int8.asma');
  expect(int8Bytes).toBeLessThan(floatBytes);
  const logits = foldedLogits(loadQuantizedModel('/tmp/student-int8.asma'), train, 'int8');
  expect(logits.length).toBe(16 * 4);
  const back = loadClassifierModel('/tmp/student.asma');
  const onnx = exportOnnx(back, { frames: 16, persons: 2 });
  const x = train.clips.data.subarray(0, 2 * 3 * 16 * 25 * 2);
  const want = back.forward(new Tensor(x, [2, 3, 16, 25, 2])).data;
  const r = await checkOnnx(onnx, x, [2, 3, 16, 25, 2], want);
  if (r.ran) expect(r.relativeError!).toBeLessThan(1e-5);
});
