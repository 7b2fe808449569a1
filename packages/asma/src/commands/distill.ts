import { join } from 'node:path';
import { Tensor } from '@asma/autodiff';
import { distill, teacherFn, teacherLogits, teacherParameters } from '@asma/compress';
import { loadTeacher, saveClassifierModel } from '@asma/compress/node';
import { accuracy, classCount, clipCount, requireLabels } from '@asma/trainer';
import { floatOption, intOption, parseOptions, requireExisting, requireOptions } from '../args.js';
import { backendInfo } from '../backend.js';
import type { Command } from '../command.js';
import { checkFits } from '../encoders.js';
import { writeJson } from '../outputs.js';
import { loadSplit } from '../split.js';
import { requireWritableDir } from '../writable.js';

const help = `usage: asma distill --teacher-a <enc_a> --teacher-b <enc_b> --alignment <alignment.safetensors> --data <dir> --out <dir> [options]

Knowledge distillation of the aligned ASMa teacher (frozen encoders A and B + the alignment module
from asma align) into a small ST-GCN student: alpha * CE + (1 - alpha) * tau^2 * KL on
temperature-softened logits. Teacher logits are computed once per training clip (eval mode).
The student plan is 3->w, w->w, ..., one stride-2 block doubling the width, ..., 2w->features.

Writes, under <out>:
  student.asma             the student (architecture + weights, one validated file)
  student.safetensors      the same as a classifier checkpoint (asma eval reads it)
  checkpoint.safetensors   training state after every epoch (for --resume)
  log.jsonl, report.json   per-epoch log; accuracies and parameter counts

options:
  --teacher-a <file>     encoder A (required)
  --teacher-b <file>     encoder B (required)
  --alignment <file>     alignment module (required)
  --data <dir>           split folder (required)
  --out <dir>            output folder (required)
  --depth <n>            student blocks (default 4)
  --width <n>            first-stage channels (default 6)
  --features <n>         student feature size (default 2 * width)
  --edge-importance      learnable edge importance per block (default off: 1,875 parameters each)
  --epochs <n>           epochs (default 30)
  --lr <x>               Adam learning rate, cosine to 0 (default 1e-2)
  --alpha <x>            weight of the hard-label cross-entropy (default 0.5)
  --tau <x>              softmax temperature (default 4)
  --batch <n>            clips per batch (default 16)
  --seed <n>             seeds the student and the shuffles (default 0)
  --resume               continue from <out>/checkpoint.safetensors`;

export const distillCommand: Command = {
  path: ['distill'],
  summary: 'distil the aligned ASMa teacher into a small ST-GCN student',
  help,
  onDevice: true,
  async run(args) {
    const { values, flags } = parseOptions(
      args,
      [
        'teacher-a',
        'teacher-b',
        'alignment',
        'data',
        'out',
        'depth',
        'width',
        'features',
        'epochs',
        'lr',
        'alpha',
        'tau',
        'batch',
        'seed',
      ],
      false,
      ['resume', 'edge-importance'],
    );
    requireOptions(values, ['teacher-a', 'teacher-b', 'alignment']);
    requireOptions(values, ['data', 'out'], '<dir>');
    requireWritableDir('out', values.out!);
    requireExisting(values, ['teacher-a', 'teacher-b', 'alignment']);
    const width = intOption('width', values.width, 6, 1);
    const student = {
      depth: intOption('depth', values.depth, 4, 2),
      width,
      outChannels: intOption('features', values.features, 2 * width, 1),
      edgeImportance: flags['edge-importance'],
    };
    const o = {
      epochs: intOption('epochs', values.epochs, 30, 1),
      lr: floatOption('lr', values.lr, 1e-2, { min: 0, exclusiveMin: true }),
      alpha: floatOption('alpha', values.alpha, 0.5, { min: 0, max: 1 }),
      tau: floatOption('tau', values.tau, 4, { min: 0, exclusiveMin: true }),
      batchSize: intOption('batch', values.batch, 16, 2),
      seed: intOption('seed', values.seed, 0, 0),
    };
    const train = loadSplit('data', values.data!, 'train');
    const val = loadSplit('data', values.data!, 'val');
    const teacher = loadTeacher(values['teacher-a']!, values['teacher-b']!, values.alignment!);
    for (const d of [train, val]) {
      checkFits(teacher.encoderA, values['teacher-a']!, d);
      checkFits(teacher.encoderB, values['teacher-b']!, d);
    }
    const classes = Math.max(classCount(train), classCount(val));
    const fn = teacherFn(teacher);
    const valLogits = await teacherLogits(fn, val);
    const teacherAcc = accuracy(
      new Tensor(valLogits, [clipCount(val), valLogits.length / clipCount(val)]),
      requireLabels(val),
    );
    const out = values.out!;
    const r = await distill({
      teacher: fn,
      train,
      val,
      classes,
      student,
      ...o,
      outDir: out,
      resume: flags.resume,
    });
    const fileBytes = saveClassifierModel(r.model, join(out, 'student.asma'));
    const report = {
      protocol: 'distill',
      ...backendInfo(),
      options: { ...o, student },
      teacher: { parameters: teacherParameters(teacher), valAccuracy: teacherAcc },
      student: {
        parameters: r.model.numParameters(),
        valAccuracy: r.valAccuracy,
        plan: r.model.encoder.plan,
        fileBytes,
      },
      history: r.history,
    };
    writeJson(join(out, 'report.json'), report);
    const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
    console.log(`distill (${classes} classes, ${o.epochs} epochs, alpha ${o.alpha}, tau ${o.tau})`);
    console.log(
      `  teacher: ${report.teacher.parameters.toLocaleString('en-US')} parameters, val top-1 ${pct(teacherAcc)}`,
    );
    console.log(
      `  student: ${report.student.parameters.toLocaleString('en-US')} parameters (${pct(report.student.parameters / report.teacher.parameters)} of the teacher), val top-1 ${pct(r.valAccuracy ?? Number.NaN)}`,
    );
    console.log(
      `  model: ${join(out, 'student.asma')} (${fileBytes} bytes), report: ${join(out, 'report.json')}`,
    );
    return 0;
  },
};
