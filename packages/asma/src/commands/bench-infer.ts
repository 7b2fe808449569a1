import { statSync } from 'node:fs';
import { noGrad, Tensor } from '@asma/autodiff';
import {
  benchInference,
  foldedForward,
  type InferenceRunner,
  loadAnyClassifier,
  loadQuantizedModel,
  loadTeacher,
  teacherFn,
  teacherParameters,
} from '@asma/compress';
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
  --batches <list>      batch sizes (default 16,1)
  --reps <n>            timed repetitions (default 7)
  --out <file.json>     write the rows`;

export const benchInferCommand: Command = {
  path: ['bench-infer'],
  summary: 'inference time per clip: teacher vs student vs int8, interleaved in one process',
  help,
  onDevice: true,
  async run(args) {
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
    if (values.student !== undefined) {
      requireExisting(values, ['student']);
      const m = loadAnyClassifier(values.student);
      runners.push({
        name: 'student (float)',
        parameters: m.numParameters(),
        run: (x, s) => noGrad(() => m.forward(new Tensor(x, [...s]))),
      });
    }
    if (values.int8 !== undefined) {
      requireExisting(values, ['int8']);
      const q = loadQuantizedModel(values.int8);
      runners.push({
        name: `int8 (${statSync(values.int8).size} bytes)`,
        parameters: Number.NaN,
        run: (x, s) => foldedForward(q, x, s, 'int8'),
      });
    }
    if (runners.length === 0) throw new UsageError('give at least one of the teacher, --student or --int8');
    const sizes = (values.batches ?? '16,1').split(',').map((b) => intOption('batches', b, 1, 1));
    const r = await benchInference(runners, val, {
      batchSizes: sizes,
      reps: intOption('reps', values.reps, 7, 1),
    });
    console.log(`bench-infer (backend ${describeActive()}; int8 kernels plain JS), ${val.source}`);
    console.log('| model | parameters | batch | ms / clip | clips / s | speed-up vs first |');
    console.log('|---|---|---|---|---|---|');
    for (const row of r.rows) {
      const first = r.rows.find((x) => x.batchSize === row.batchSize)!;
      const p = runners.find((x) => x.name === row.name)!.parameters;
      console.log(
        `| ${row.name} | ${Number.isNaN(p) ? '-' : p.toLocaleString('en-US')} | ${row.batchSize} | ${row.msPerClip.toFixed(3)} | ${row.clipsPerSecond.toFixed(1)} | ${(first.msPerClip / row.msPerClip).toFixed(2)}x |`,
      );
    }
    if (values.out !== undefined) writeJson(values.out, { ...r, adapter: backendInfo().adapter });
    return 0;
  },
};
