/**
 * The whole compression pipeline on one teacher and one split, for `asma demo` and the benchmark:
 * distil a small student from the aligned teacher, optionally channel-prune and fine-tune it, quantise
 * it to int8, write both model files and the ONNX export (checked in onnxruntime-node when installed),
 * and time teacher and students side by side. Returns the numbers and a markdown table.
 */
import { join } from 'node:path';
import { noGrad, Tensor } from '@asma/autodiff';
import {
  accuracy,
  type ClipDataset,
  classCount,
  clipCount,
  evaluateClassifier,
  gatherClips,
  moveToHost,
  requireLabels,
} from '@asma/trainer';
import { writeFileAtomic } from '@asma/util/node';
import { type BenchOptions, benchInference, type InferenceRunner, planRunner } from '../bench.js';
import { distill, teacherLogits } from '../distill.js';
import { type FoldedClassifier, foldClassifier } from '../folded.js';
import { compileQuantized } from '../infer/int8-plan.js';
import { compileFolded, type InferencePlan, type InferencePlanOptions } from '../infer/plan.js';
import { exportOnnx } from '../onnx.js';
import { checkOnnx } from '../onnx-check.js';
import { prune } from '../prune.js';
import { quantizeClassifier } from '../quantize.js';
import { type CompressionReport, FLOAT_PLAN_ROW, type ModelRow } from '../report.js';
import type { StudentOptions } from '../student.js';
import { type AsmaTeacher, teacherFn, teacherParameters } from '../teacher.js';
import { saveClassifierModel, saveQuantizedModel } from './model-io.js';

export interface CompressionReportOptions {
  teacher: AsmaTeacher;
  train: ClipDataset;
  val: ClipDataset;
  /** Model files, ONNX export and distillation logs go here. */
  outDir: string;
  /** Student architecture (default depth 4, width 6: 3->6, 6->6, 6->12 s2, 12->12). */
  student?: StudentOptions;
  epochs?: number;
  lr?: number;
  alpha?: number;
  tau?: number;
  batchSize?: number;
  seed?: number;
  /** Channel pruning of the student after distillation (default off). */
  prune?: { amount: number; epochs: number } | false;
  calibrationBatches?: number;
  bench?: BenchOptions;
  progress?: boolean;
}

async function logitsOf(
  forward: (x: Tensor) => Tensor,
  data: ClipDataset,
  classes: number,
): Promise<Float32Array> {
  const out = await teacherLogits(forward, data);
  if (out.length !== clipCount(data) * classes)
    throw new Error(
      `compressionReport: the teacher gives ${out.length / clipCount(data)} classes, expected ${classes}`,
    );
  return out;
}

export async function compressionReport(o: CompressionReportOptions): Promise<CompressionReport> {
  const classes = Math.max(classCount(o.train), classCount(o.val));
  const valLabels = requireLabels(o.val);
  const teacher = teacherFn(o.teacher);
  const trainLogits = await logitsOf(teacher, o.train, classes);
  const teacherVal = accuracy(
    new Tensor(await logitsOf(teacher, o.val, classes), [clipCount(o.val), classes]),
    valLabels,
  );
  const progress = o.progress === false ? false : undefined;
  const d = await distill({
    teacher: trainLogits,
    train: o.train,
    val: o.val,
    classes,
    student: o.student ?? { depth: 4, width: 6 },
    epochs: o.epochs ?? 30,
    lr: o.lr ?? 1e-2,
    alpha: o.alpha,
    tau: o.tau,
    batchSize: o.batchSize ?? 16,
    seed: o.seed,
    outDir: join(o.outDir, 'distill'),
    resume: true,
    progress,
  });
  let student = d.model;
  student.eval();
  const accuracyOf = async (m: typeof student): Promise<number> => {
    const acc = await evaluateClassifier(m, o.val);
    // Evaluation on a device moves the weights there; the writers, pruning and int8 read them on the host.
    await moveToHost(m);
    return acc;
  };
  const studentRow = {
    name: 'student (distilled)',
    parameters: student.numParameters(),
    valAccuracy: await accuracyOf(student),
    fileBytes: saveClassifierModel(student, join(o.outDir, 'student.asma')),
    plan: student.encoder.plan,
  };
  let prunedRow: ModelRow | undefined;
  if (o.prune) {
    const p = await prune({
      model: student,
      method: 'channel',
      amount: o.prune.amount,
      train: o.train,
      val: o.val,
      teacher: trainLogits,
      alpha: o.alpha,
      tau: o.tau,
      epochs: o.prune.epochs,
      batchSize: o.batchSize ?? 16,
      seed: o.seed,
      outDir: join(o.outDir, 'prune'),
      resume: true,
      progress,
    });
    student = p.model;
    prunedRow = {
      name: `student, ${Math.round(o.prune.amount * 100)} % channels pruned + fine-tuned`,
      parameters: p.parametersAfter,
      valAccuracy: await accuracyOf(student),
      fileBytes: saveClassifierModel(student, join(o.outDir, 'student-pruned.asma')),
    };
  }
  const last = prunedRow ?? studentRow;
  const q = quantizeClassifier(student, o.train, { batches: o.calibrationBatches ?? 4 });
  // int8 as deployed: the compiled int8 plan (the same logits as foldedLogits(q, val, 'int8')).
  const intLogits = planLogits(compileQuantized, q, o.val);
  // Folded while the weights are on the host (the ONNX check below runs the student on the backend);
  // int8 against float as both are deployed: the compiled plans.
  const folded = foldClassifier(student);
  const floatLogits = planLogits(compileFolded, folded, o.val);
  let maxErr = 0;
  for (let i = 0; i < intLogits.length; i++)
    maxErr = Math.max(maxErr, Math.abs(intLogits[i]! - floatLogits[i]!));
  const int8Row = {
    name: `${last.name}, int8`,
    parameters: last.parameters,
    valAccuracy: accuracy(new Tensor(intLogits, [clipCount(o.val), classes]), valLabels),
    fileBytes: saveQuantizedModel(q, join(o.outDir, 'student-int8.asma')),
    maxLogitError: maxErr,
  };
  // ONNX export of the float student, checked on the first validation clips.
  const [, , frames, , persons] = o.val.clips.shape;
  const onnx = exportOnnx(student, { frames, persons });
  writeFileAtomic(join(o.outDir, 'student.onnx'), onnx);
  const { batch } = gatherClips(
    o.val,
    Array.from({ length: Math.min(8, clipCount(o.val)) }, (_, i) => i),
  );
  const want = await noGrad(() => student.forward(new Tensor(batch.data, [...batch.shape]))).read();
  const check = await checkOnnx(onnx, batch.data, batch.shape, want);

  const teacherName = 'teacher (ASMa A + B + alignment)';
  const runners: InferenceRunner[] = [
    { name: teacherName, run: (x, s) => noGrad(() => teacher(new Tensor(x, [...s]))) },
    { name: last.name, run: (x, s) => noGrad(() => student.forward(new Tensor(x, [...s]))) },
    { name: FLOAT_PLAN_ROW, run: planRunner((s) => compileFolded(folded, planOptions(s))) },
    { name: int8Row.name, run: planRunner((s) => compileQuantized(q, planOptions(s))) },
  ];
  const speed = await benchInference(runners, o.val, o.bench);
  const speedup: Record<number, number> = {};
  for (const r of speed.rows)
    if (r.name === last.name) {
      const t = speed.rows.find((x) => x.name === runners[0]!.name && x.batchSize === r.batchSize)!;
      speedup[r.batchSize] = t.msPerClip / r.msPerClip;
    }
  const teacherRow = {
    name: 'teacher (ASMa A + B + alignment)',
    parameters: teacherParameters(o.teacher),
    valAccuracy: teacherVal,
  };
  return {
    backend: speed.backend,
    classes,
    trainClips: clipCount(o.train),
    valClips: clipCount(o.val),
    teacher: teacherRow,
    student: studentRow,
    pruned: prunedRow,
    int8: int8Row,
    parameterRatio: last.parameters / teacherRow.parameters,
    int8SizeRatio: last.fileBytes! / int8Row.fileBytes,
    onnx: { bytes: onnx.length, check },
    speed,
    speedup,
  };
}

const planOptions = (s: readonly number[]) => ({ batch: s[0]!, frames: s[2]!, persons: s[4]! });

/** (N, classes) logits of every clip of `data`, one clip at a time through a batch-1 plan. */
function planLogits(
  compile: (m: FoldedClassifier, o: InferencePlanOptions) => InferencePlan,
  m: FoldedClassifier,
  data: ClipDataset,
): Float32Array {
  const [, , frames, , persons] = data.clips.shape;
  const plan = compile(m, { frames, persons });
  const n = clipCount(data);
  const out = new Float32Array(n * m.classes);
  for (let i = 0; i < n; i++) {
    const { batch } = gatherClips(data, [i]);
    out.set(plan.run(batch.data as Float32Array, batch.shape), i * m.classes);
  }
  return out;
}
