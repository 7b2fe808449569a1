import { statSync } from 'node:fs';
import { noGrad, Tensor } from '@asma/autodiff';
import {
  benchAgainstOnnx,
  benchInference,
  compileClassifier,
  compileQuantized,
  type FoldedClassifier,
  type InferenceRunner,
  planRunner,
  teacherFn,
  teacherParameters,
} from '@asma/compress';
import { loadAnyClassifier, loadQuantizedModel, loadTeacher } from '@asma/compress/node';
import { getBackend } from '@asma/kernels';
import { type ActionClassifier, type ClipDataset, clipCount, gatherClips } from '@asma/trainer';
import { intOption, parseOptions, requireExisting, requireOptions } from '../args.js';
import { backendInfo, describeActive } from '../backend.js';
import { type Command, UsageError } from '../command.js';
import { writeJson } from '../outputs.js';
import { loadSplit } from '../split.js';

const help = `usage: asma bench-infer --data <dir> [--teacher-a <f> --teacher-b <f> --alignment <f>] [--student <f>] [--int8 <f>] [options]

Per-clip inference time of the teacher (encoders A and B + alignment), a float student and an int8
model on the same val clips in the same process, interleaved round-robin; the median of --reps runs
after one warm-up, at each batch size. Prints a table with parameters and ratios to the first model.

options:
  --data <dir>          split folder (required)
  --teacher-a, --teacher-b, --alignment <file>   the aligned ASMa teacher
  --student <file>      float classifier (.asma or classifier .safetensors)
  --int8 <file>         int8 model from asma quantize
  --ort-threads <n>     onnxruntime intra-op threads for the onnxruntime comparison (default 1)

With --student, the student also runs as a compiled inference plan (one thread, buffers planned once),
and, when onnxruntime-node is installed, a second table compares that plan with onnxruntime on asma's
ONNX export of the same student: same clips, same process, interleaved, outputs checked to agree.
  --batches <list>      batch sizes (default 16,1)
  --reps <n>            timed repetitions (default 7)
  --out <file.json>     write the rows`;

export const benchInferCommand: Command = {
  path: ['bench-infer'],
  summary: 'inference time per clip: teacher vs student vs int8, interleaved in one process',
  help,
  onDevice: true,
  async run(args) {
    const onHostBackend = getBackend().deviceStorage !== true;
    const { values } = parseOptions(args, [
      'data',
      'teacher-a',
      'teacher-b',
      'alignment',
      'student',
      'int8',
      'batches',
      'reps',
      'out',
      'ort-threads',
    ]);
    requireOptions(values, ['data'], '<dir>');
    const val = loadSplit('data', values.data!, 'val');
    const runners: (InferenceRunner & { parameters: number })[] = [];
    const teacherGiven = ['teacher-a', 'teacher-b', 'alignment'].filter((k) => values[k] !== undefined);
    if (teacherGiven.length > 0) {
      requireOptions(values, ['teacher-a', 'teacher-b', 'alignment']);
      requireExisting(values, ['teacher-a', 'teacher-b', 'alignment']);
      const t = loadTeacher(values['teacher-a']!, values['teacher-b']!, values.alignment!);
      const fn = teacherFn(t);
      runners.push({
        name: 'teacher',
        parameters: teacherParameters(t),
        run: (x, s) => noGrad(() => fn(new Tensor(x, [...s]))),
      });
    }
    let student: ActionClassifier | null = null;
    if (values.student !== undefined) {
      requireExisting(values, ['student']);
      const m = loadAnyClassifier(values.student);
      student = m;
      runners.push({
        name: 'student (float)',
        parameters: m.numParameters(),
        run: (x, s) => noGrad(() => m.forward(new Tensor(x, [...s]))),
      });
      // The compiled plan is a CPU path (host weights, wasm kernels): on a device backend it is left out.
      if (onHostBackend)
        runners.push({
          name: 'student (compiled plan)',
          parameters: m.numParameters(),
          run: planRunner((s) => compileClassifier(m, { batch: s[0]!, frames: s[2]!, persons: s[4]! })),
        });
    }
    let int8: FoldedClassifier | null = null;
    if (values.int8 !== undefined) {
      requireExisting(values, ['int8']);
      const q = loadQuantizedModel(values.int8);
      int8 = q;
      runners.push({
        name: `int8 compiled plan (${statSync(values.int8).size} bytes)`,
        parameters: Number.NaN,
        run: planRunner((s) => compileQuantized(q, { batch: s[0]!, frames: s[2]!, persons: s[4]! })),
      });
    }
    if (runners.length === 0) throw new UsageError('give at least one of the teacher, --student or --int8');
    const sizes = (values.batches ?? '16,1').split(',').map((b) => intOption('batches', b, 1, 1));
    const r = await benchInference(runners, val, {
      batchSizes: sizes,
      reps: intOption('reps', values.reps, 7, 1),
    });
    console.log(
      `bench-infer (backend ${describeActive()}; compiled plans: CPU, WebAssembly SIMD, 1 thread), ${val.source}`,
    );
    console.log('| model | parameters | batch | ms / clip | clips / s | speed-up vs first |');
    console.log('|---|---|---|---|---|---|');
    for (const row of r.rows) {
      const first = r.rows.find((x) => x.batchSize === row.batchSize)!;
      const p = runners.find((x) => x.name === row.name)!.parameters;
      console.log(
        `| ${row.name} | ${Number.isNaN(p) ? '-' : p.toLocaleString('en-US')} | ${row.batchSize} | ${row.msPerClip.toFixed(3)} | ${row.clipsPerSecond.toFixed(1)} | ${(first.msPerClip / row.msPerClip).toFixed(2)}x |`,
      );
    }
    if (!onHostBackend && student !== null)
      console.log(
        'the compiled plan and the onnxruntime comparison run on the CPU backend only: left out here',
      );
    const onnx =
      student === null || !onHostBackend ? null : await compareOnnx(student, int8, val, sizes, values);
    if (values.out !== undefined)
      writeJson(values.out, {
        ...r,
        adapter: backendInfo().adapter,
        ...(onnx === null ? {} : { onnxruntime: onnx }),
      });
    return 0;
  },
};

/** Whether a quantised model has the student's layer shapes (then it is taken as its int8 version). */
function sameArchitecture(student: ActionClassifier, q: FoldedClassifier): boolean {
  const plan = student.encoder.plan;
  return (
    q.classes === student.fc.outFeatures &&
    q.blocks.length === plan.length &&
    q.blocks.every(
      (b, i) => b.gcn.cin === plan[i]!.in && b.out === plan[i]!.out && b.tcn.stride === plan[i]!.stride,
    )
  );
}

/**
 * The onnxruntime table: the compiled plan vs onnxruntime on the student's ONNX export, with the
 * int8 plan's columns when --int8 is the student's quantised version.
 */
async function compareOnnx(
  student: ActionClassifier,
  int8: FoldedClassifier | null,
  val: ClipDataset,
  sizes: number[],
  values: Record<string, string | undefined>,
) {
  const batches = sizes.map((bs) => {
    const n = Math.min(bs, clipCount(val));
    const { batch } = gatherClips(
      val,
      Array.from({ length: n }, (_, i) => i),
    );
    return { data: batch.data as Float32Array, shape: batch.shape };
  });
  const threads = intOption('ort-threads', values['ort-threads'], 1, 1);
  const reps = Math.max(20, intOption('reps', values.reps, 7, 1));
  const q = int8 !== null && sameArchitecture(student, int8) ? int8 : undefined;
  if (int8 !== null && q === undefined) console.log('(--int8 is not the student quantised: no int8 columns)');
  const r = await benchAgainstOnnx(student, batches, { threads, reps, int8: q });
  if (!r.ran) {
    console.log(`(no onnxruntime column: ${r.reason})`);
    return r;
  }
  console.log(
    `\nstudent: compiled plan (CPU, 1 thread) vs onnxruntime-node (CPU, ${threads} intra-op thread(s)), interleaved, median of ${reps}`,
  );
  const int8Head = q ? ' int8 plan ms / clip | int8 / float plan | int8 logit error |' : '';
  console.log(
    `| batch | asma ms / clip | onnxruntime ms / clip | asma / onnxruntime | max rel. logit diff |${int8Head}`,
  );
  console.log(`|---|---|---|---|---|${q ? '---|---|---|' : ''}`);
  for (const x of r.rows)
    console.log(
      `| ${x.batchSize} | ${x.asmaMsPerClip.toFixed(3)} | ${x.onnxMsPerClip.toFixed(3)} | ${x.ratio.toFixed(2)}x | ${x.relativeError.toExponential(1)} |${
        x.int8
          ? ` ${x.int8.msPerClip.toFixed(3)} | ${x.int8.ratioToFloat.toFixed(2)}x | ${x.int8.logitError.toExponential(1)} |`
          : ''
      }`,
    );
  return r;
}
