import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arbTensor, crossEntropy, gradCheck, noGrad, Tensor, tensor } from '@asma/autodiff';
import { loadStGcn } from '@asma/trainer/node';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { distill, distillationLoss, studentPlan } from '../src/index.js';
import { tinyClassifier, tinyDataset } from './helpers.js';

/** The loss written out per row in float64: the oracle for the value. */
function lossByHand(s: number[][], t: number[][], y: number[], alpha: number, tau: number): number {
  const lsm = (r: number[], k: number) => {
    const m = Math.max(...r.map((v) => v / k));
    const z = Math.log(r.reduce((a, v) => a + Math.exp(v / k - m), 0)) + m;
    return r.map((v) => v / k - z);
  };
  let ce = 0;
  let kl = 0;
  s.forEach((row, i) => {
    ce -= lsm(row, 1)[y[i]!]!;
    const p = lsm(row, tau);
    const q = lsm(t[i]!, tau);
    q.forEach((lq, c) => {
      kl += Math.exp(lq) * (lq - p[c]!);
    });
  });
  return (alpha * ce) / s.length + ((1 - alpha) * tau * tau * kl) / s.length;
}

describe('distillationLoss', () => {
  const cases = fc
    .record({ n: fc.integer({ min: 1, max: 4 }), c: fc.integer({ min: 2, max: 5 }) })
    .chain(({ n, c }) =>
      fc.record({
        s: arbTensor([n, c], { lo: -3, hi: 3 }),
        t: arbTensor([n, c], { lo: -3, hi: 3 }),
        y: fc.array(fc.integer({ min: 0, max: c - 1 }), { minLength: n, maxLength: n }),
        alpha: fc.double({ min: 0, max: 1, noNaN: true }),
        tau: fc.double({ min: 0.5, max: 8, noNaN: true }),
      }),
    );

  it('matches the formula written out by hand', () => {
    fc.assert(
      fc.property(cases, ({ s, t, y, alpha, tau }) => {
        const got = noGrad(() => distillationLoss(s, t, y, { alpha, tau }).item());
        const want = lossByHand(s.toArray() as number[][], t.toArray() as number[][], y, alpha, tau);
        expect(Math.abs(got - want)).toBeLessThan(1e-9 * Math.max(1, Math.abs(want)));
      }),
      { numRuns: 40 },
    );
  });

  it('has the gradient of central differences (float64)', () => {
    fc.assert(
      fc.property(cases, ({ s, t, y, alpha, tau }) => {
        gradCheck((x) => distillationLoss(x, t, y, { alpha, tau }), [s], { rtol: 1e-5, atol: 1e-7 });
      }),
      { numRuns: 30 },
    );
  });

  it('is the cross-entropy at alpha = 1 and is zero-KL when student = teacher', () => {
    const s = tensor(
      [
        [1, 2, 0.5],
        [0, -1, 3],
      ],
      undefined,
      { dtype: 'float64' },
    );
    const y = [1, 2];
    expect(distillationLoss(s, s, y, { alpha: 1 }).item()).toBeCloseTo(crossEntropy(s, y).item(), 12);
    expect(distillationLoss(s, s, y, { alpha: 0, tau: 3 }).item()).toBeCloseTo(0, 12);
  });

  it('rejects mismatched shapes and bad alpha / tau', () => {
    const a = new Tensor(new Float32Array(6), [2, 3]);
    const b = new Tensor(new Float32Array(4), [2, 2]);
    expect(() => distillationLoss(a, b, [0, 1])).toThrow(/must both be \(N, C\)/);
    expect(() => distillationLoss(a, a, [0, 1], { alpha: 1.5 })).toThrow(/alpha/);
    expect(() => distillationLoss(a, a, [0, 1], { tau: 0 })).toThrow(/tau/);
  });
});

describe('studentPlan', () => {
  it('builds a chained plan with one stride-2 block', () => {
    const p = studentPlan({ depth: 4, width: 8 });
    expect(p.map((b) => [b.in, b.out, b.stride, b.residual])).toEqual([
      [3, 8, 1, false],
      [8, 8, 1, true],
      [8, 16, 2, true],
      [16, 16, 1, true],
    ]);
    expect(() => studentPlan({ depth: 1 })).toThrow(/depth/);
  });
});

describe('distill', () => {
  const train = tinyDataset({ perClass: 6, classes: 3 });
  it('learns from a teacher function, saves a loadable student and resumes bit-identically', async () => {
    const teacher = tinyClassifier(3, 5);
    teacher.eval();
    const dir = mkdtempSync(join(tmpdir(), 'distill-'));
    const base = {
      teacher: (x: Tensor) => teacher.forward(x),
      train,
      student: { depth: 2, width: 4 },
      batchSize: 6,
      lr: 1e-2,
      seed: 3,
      progress: false as const,
    };
    const full = await distill({ ...base, epochs: 4 });
    expect(full.history[3]!.loss).toBeLessThan(full.history[0]!.loss);
    expect(full.teacherLogits.length).toBe(18 * 3);

    const stop = (r: { epoch: number }) => {
      if (r.epoch === 1) throw new Error('interrupted');
    };
    await expect(distill({ ...base, epochs: 4, outDir: dir, onEpoch: stop })).rejects.toThrow('interrupted');
    const resumed = await distill({ ...base, epochs: 4, outDir: dir, resume: true });
    expect(resumed.history.length).toBe(4);
    for (const [k, v] of full.model.stateDict())
      expect(resumed.model.stateDict().get(k)!.data).toEqual(v.data);
    const { model } = loadStGcn(join(dir, 'student.safetensors'), { prefix: 'encoder.' });
    expect(model.plan.length).toBe(2);
  });

  it('refuses to resume with another teacher (issue 21: a swapped --teacher-a continued silently)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'distill-teacher-'));
    const logits = (scale: number) => Float32Array.from({ length: 18 * 3 }, (_, i) => scale * Math.sin(i));
    const base = {
      train,
      student: { depth: 2, width: 4 },
      batchSize: 6,
      progress: false as const,
      outDir: dir,
    };
    await distill({ ...base, teacher: logits(1), epochs: 1 });
    await expect(distill({ ...base, teacher: logits(2), epochs: 2, resume: true })).rejects.toThrow(
      /written by a run on other inputs \(teachers: "[0-9a-f]{16}" in the checkpoint, "[0-9a-f]{16}" now\); refusing to resume$/,
    );
    expect((await distill({ ...base, teacher: logits(1), epochs: 2, resume: true })).history).toHaveLength(2);
  });

  it('rejects teacher logits of the wrong size', async () => {
    await expect(
      distill({ teacher: new Float32Array(5), train, epochs: 1, progress: false }),
    ).rejects.toThrow(/teacher logits hold 5 values, expected 18 clips x 3 classes/);
  });
});
