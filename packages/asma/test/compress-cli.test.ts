import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadOnnxRuntime } from '@asma/compress';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { UsageError } from '../src/command.js';
import { alignCommand } from '../src/commands/align.js';
import { benchInferCommand } from '../src/commands/bench-infer.js';
import { distillCommand } from '../src/commands/distill.js';
import { evalCommand } from '../src/commands/eval.js';
import { exportCommand } from '../src/commands/export.js';
import { linearCommand } from '../src/commands/linear.js';
import { pruneCommand } from '../src/commands/prune.js';
import { quantizeCommand } from '../src/commands/quantize.js';
import { startView } from '../src/commands/view.js';
import { tinyEncoders, tinySplit } from './tiny-split.js';

const { dir, split } = tinySplit('asma-compress-cli-');
let teacher: string[];
beforeAll(async () => {
  vi.spyOn(console, 'log').mockImplementation(() => {});
  const enc = await tinyEncoders(split, join(dir, 'pre'));
  const align = join(dir, 'align');
  await alignCommand.run([
    '--checkpoint-a',
    enc.a,
    '--checkpoint-b',
    enc.b,
    '--data',
    split,
    '--out',
    align,
    '--epochs',
    '1',
    '--tokens',
    '2',
    '--heads',
    '2',
  ]);
  teacher = ['--teacher-a', enc.a, '--teacher-b', enc.b, '--alignment', join(align, 'alignment.safetensors')];
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('distill -> prune -> quantize -> export -> bench-infer', async () => {
  const d = join(dir, 'distill');
  expect(
    await distillCommand.run([
      ...teacher,
      '--data',
      split,
      '--out',
      d,
      '--epochs',
      '2',
      '--depth',
      '2',
      '--width',
      '4',
      '--batch',
      '4',
    ]),
  ).toBe(0);
  const r = JSON.parse(readFileSync(join(d, 'report.json'), 'utf8'));
  expect(r.student.parameters).toBeLessThan(r.teacher.parameters);
  const student = join(d, 'student.asma');
  const p = join(dir, 'prune');
  expect(
    await pruneCommand.run([
      '--model',
      student,
      '--data',
      split,
      '--out',
      p,
      '--amount',
      '0.5',
      '--epochs',
      '1',
      '--batch',
      '4',
    ]),
  ).toBe(0);
  expect(JSON.parse(readFileSync(join(p, 'report.json'), 'utf8')).parametersAfter).toBeLessThan(
    r.student.parameters,
  );
  const q = join(dir, 'quant');
  expect(
    await quantizeCommand.run([
      '--model',
      student,
      '--data',
      split,
      '--out',
      q,
      '--calib-batches',
      '1',
      '--batch',
      '4',
    ]),
  ).toBe(0);
  const qr = JSON.parse(readFileSync(join(q, 'report.json'), 'utf8'));
  expect(qr.int8FileBytes).toBeLessThan(qr.floatFileBytes);
  const onnx = join(dir, 'student.onnx');
  expect(await exportCommand.run(['--model', student, '--out', onnx, '--data', split])).toBe(0);
  expect(existsSync(onnx)).toBe(true);
  const bench = join(dir, 'bench.json');
  expect(
    await benchInferCommand.run([
      ...teacher,
      '--student',
      student,
      '--int8',
      join(q, 'model-int8.asma'),
      '--data',
      split,
      '--reps',
      '1',
      '--batches',
      '2',
      '--out',
      bench,
    ]),
  ).toBe(0);
  const benchOut = JSON.parse(readFileSync(bench, 'utf8'));
  const names = benchOut.rows.map((r: { name: string }) => r.name);
  expect(names).toContain('student (compiled plan)');
  expect(names.some((n: string) => n.startsWith('int8 compiled plan'))).toBe(true);
  expect(benchOut.rows).toHaveLength(4);
  // The onnxruntime column runs exactly where onnxruntime-node loads, on outputs that agree.
  expect(benchOut.onnxruntime.ran).toBe((await loadOnnxRuntime()).ok);
  if (benchOut.onnxruntime.ran) {
    expect(benchOut.onnxruntime.rows).toHaveLength(1);
    expect(benchOut.onnxruntime.rows[0].relativeError).toBeLessThan(1e-4);
    expect(benchOut.onnxruntime.rows[0].asmaMsPerClip).toBeGreaterThan(0);
    // --int8 is this student quantised: its plan runs in the same table, its logits near the float ones.
    expect(benchOut.onnxruntime.rows[0].int8.msPerClip).toBeGreaterThan(0);
    expect(benchOut.onnxruntime.rows[0].int8.logitError).toBeLessThan(0.1);
  }

  // Every classifier file these commands wrote is accepted where a model is taken, told apart by its
  // first bytes (student.asma was parsed as safetensors: "header length ... exceeds ...").
  const int8 = join(q, 'model-int8.asma');
  const files = [
    student,
    join(d, 'student.safetensors'),
    join(p, 'pruned.asma'),
    join(p, 'pruned.safetensors'),
    int8,
  ];
  const top1: number[] = [];
  for (const f of files) {
    const report = join(dir, 'eval', `${files.indexOf(f)}.json`);
    expect(await evalCommand.run(['--classifier', f, '--data', split, '--out', report]), f).toBe(0);
    top1.push(JSON.parse(readFileSync(report, 'utf8')).top1);
  }
  expect(top1[0]).toBe(top1[1]); // the same student in two containers
  expect(top1[4]).toBe(qr.int8Accuracy); // int8 runs its int8 kernels, as quantize scored it
  for (const f of [student, join(p, 'pruned.asma')]) {
    const server = await startView(['--port', '0', '--model', f]);
    await server.close();
  }
  await expect(startView(['--model', int8])).rejects.toThrow(
    /is an int8 \.asma classifier \(asma quantize\); the viewer runs float classifiers/,
  );
  await expect(linearCommand.run(['--checkpoint', student, '--data', split])).rejects.toThrow(
    /is a float \.asma classifier \(asma distill \/ prune\); expected an encoder \.safetensors/,
  );
  await expect(evalCommand.run(['--classifier', teacher[1]!, '--data', split])).rejects.toThrow(
    /with no 2-D "fc.weight" \(an encoder or a training checkpoint\?\); expected a classifier/,
  );
});

it('rejects missing options, bad values and corrupt model files', async () => {
  await expect(distillCommand.run([])).rejects.toThrow(UsageError);
  await expect(
    pruneCommand.run(['--model', split, '--data', split, '--out', dir, '--method', 'x']),
  ).rejects.toThrow(/--method must be one of/);
  await expect(
    exportCommand.run(['--model', join(split, 'meta.json'), '--out', join(dir, 'x.onnx'), '--frames', '20']),
  ).rejects.toThrow(/neither an .asma model nor/);
  await expect(benchInferCommand.run(['--data', split])).rejects.toThrow(/at least one/);
});
