import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlignmentModule, StGcn } from '@asma/trainer';
import { Rng } from '@asma/util';
import { describe, expect, it } from 'vitest';
import { benchInference, compressionTable, FLOAT_PLAN_ROW } from '../src/index.js';
import { compressionReport } from '../src/node/index.js';
import { tinyDataset, tinyPlan } from './helpers.js';

describe('compressionReport', () => {
  it('runs distil -> prune -> int8 -> files -> ONNX -> timing and tabulates it', async () => {
    const rng = new Rng(0);
    const enc = () => new StGcn({ rng: rng.fork(), blocks: tinyPlan, temporalKernel: 3 });
    const teacher = {
      encoderA: enc(),
      encoderB: enc(),
      alignment: new AlignmentModule({ rng: rng.fork(), dim: 8, classes: 3, tokens: 2, heads: 2 }),
    };
    const train = tinyDataset({ perClass: 4, classes: 3, frames: 12 });
    const val = tinyDataset({ perClass: 2, classes: 3, frames: 12, seed: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'report-'));
    const r = await compressionReport({
      teacher,
      train,
      val,
      outDir: dir,
      student: { depth: 2, width: 4 },
      epochs: 2,
      batchSize: 6,
      prune: { amount: 0.5, epochs: 1 },
      calibrationBatches: 1,
      bench: { reps: 1, warmup: 0, batchSizes: [4, 1] },
      progress: false,
    });
    expect(r.parameterRatio).toBeLessThan(1);
    expect(r.pruned!.parameters).toBeLessThan(r.student.parameters);
    expect(r.int8SizeRatio).toBeGreaterThan(1.5);
    // teacher, student, student as a float plan, int8 plan; at two batch sizes.
    expect(r.speed.rows.length).toBe(8);
    for (const f of ['student.asma', 'student-pruned.asma', 'student-int8.asma', 'student.onnx'])
      expect(existsSync(join(dir, f))).toBe(true);
    if (r.onnx.check.ran) expect(r.onnx.check.relativeError!).toBeLessThan(1e-5);
    const table = compressionTable(r);
    expect(table).toContain('| teacher (ASMa A + B + alignment) |');
    expect(table.split('\n').filter((l) => l.startsWith('| student')).length).toBe(4);
    const planLine = table.split('\n').find((l) => l.startsWith(`| ${FLOAT_PLAN_ROW} |`));
    expect(planLine).toMatch(/\| \| \| \| \| \d+\.\d\d \| \d+\.\d\d \|$/);
    expect(table).toMatch(/ms\/clip B=4 \| ms\/clip B=1/);
  });

  it('benchInference interleaves runners and reports medians per batch size', async () => {
    const calls: string[] = [];
    const data = tinyDataset({ perClass: 1, classes: 2, frames: 4 });
    const r = await benchInference(
      [
        { name: 'a', run: () => calls.push('a') },
        { name: 'b', run: () => calls.push('b') },
      ],
      data,
      { reps: 2, warmup: 1, batchSizes: [2] },
    );
    expect(calls).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    expect(r.rows.map((x) => [x.name, x.batchSize])).toEqual([
      ['a', 2],
      ['b', 2],
    ]);
    expect(r.backend).toBeTypeOf('string');
  });
});
