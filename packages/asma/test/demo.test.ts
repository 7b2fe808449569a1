import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STGCN16_PARAMETERS, StGcn } from '@asma/trainer';
import { Rng } from '@asma/util';
import { afterAll, expect, it } from 'vitest';
import { UsageError } from '../src/command.js';
import { demoCommand, demoConfig } from '../src/commands/demo.js';

const dir = mkdtempSync(join(tmpdir(), 'asma-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('asma demo --quick runs the whole pipeline for two seeds and writes the report', async () => {
  const out = join(dir, 'demo');
  expect(await demoCommand.run(['--quick', '--out', out, '--seeds', '0,1'])).toBe(0);
  for (const f of ['report.md', 'report.json', 'accuracy.svg', 'loss.svg', 'demo.jsonl'])
    expect(existsSync(join(out, f)), f).toBe(true);
  for (const f of ['asma/encoder_a.safetensors', 'asma/encoder_b.safetensors', 'pstl/encoder.safetensors'])
    expect(existsSync(join(out, 'seed-1', f)), f).toBe(true);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  const names = report.summary.map((s: { name: string }) => s.name);
  expect(names).toEqual([
    'ASMa (A+B)',
    'ASMa encoder A',
    'ASMa encoder B',
    'PSTL',
    'Barlow Twins (no masking)',
    'no pretraining (random init)',
    'no pretraining, two encoders (random init)',
    'ASMa + alignment module',
  ]);
  for (const s of report.summary) {
    expect(s.values).toHaveLength(2);
    expect(s.mean).toBeGreaterThanOrEqual(0);
    expect(s.mean).toBeLessThanOrEqual(1);
    // Every frozen-feature set has kNN accuracy and an effective rank in [1, its width]; the trained
    // alignment module has neither.
    if (s.name === 'ASMa + alignment module') expect(s.knn).toBeUndefined();
    else {
      expect(s.knn.values).toHaveLength(2);
      expect(s.effectiveRank).toBeGreaterThanOrEqual(1);
      expect(s.effectiveRank).toBeLessThanOrEqual(
        s.name === 'ASMa (A+B)' || s.name.includes('two encoders') ? 16 : 8,
      );
    }
  }
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  expect(md).toMatch(
    /\| ASMa \(A\+B\) \| [\d,]+ \| \d+\.\d ± \d+\.\d \| \d+\.\d, \d+\.\d \| \d+\.\d ± \d+\.\d \| \d+\.\d, \d+\.\d \| \d+\.\d\d \/ \d+\.\d\d \|/,
  );
  // The quick demo's projector is 16 wide: lambda balanced for it, 1.2288 / 16.
  expect(md).toContain('lambda 0.0768');
  expect(md).toMatch(/kernel backend 'cpu' \(.*\d+ kernel threads?\)/);
  // Every protocol of the paper, for every frozen-feature set, on every seed.
  const protocols = [
    'linear',
    'kNN',
    'fine-tune',
    'semi 1 %',
    'semi 10 %',
    'transfer, linear',
    'transfer, kNN',
    'transfer, fine-tune',
  ];
  for (const set of names.filter((n: string) => n !== 'ASMa + alignment module')) {
    const row = report.protocols.scores[set];
    expect(Object.keys(row), set).toEqual(protocols);
    for (const p of protocols) {
      expect(row[p], `${set} ${p}`).toHaveLength(2);
      for (const v of row[p]) expect(v).toBeGreaterThanOrEqual(0);
    }
  }
  // Semi-supervised: 16 classes x round(fraction * 3 training clips), at least one each.
  const seed0 = report.results[0];
  expect(seed0.protocols.find((p: { protocol: string }) => p.protocol === 'semi 10 %').labelled).toBe(16);
  expect(
    report.protocols.comparisons.some(
      (c: { a: string; b: string }) => c.a === 'ASMa encoder A' && c.b === 'PSTL',
    ),
  ).toBe(true);
  // The distillation study: every alpha on every seed; alpha 0.5 is the compression report's student.
  for (const r of report.results)
    expect(r.distillation.map((d: { alpha: number }) => d.alpha)).toEqual([0, 0.5, 1]);
  expect(seed0.distillation[1].valAccuracy).toBe(seed0.compression.student.valAccuracy);
  expect(seed0.distillation[0].teacherAccuracy).toBe(seed0.compression.teacher.valAccuracy);
  expect(md).toContain('## Every protocol');
  expect(md).toContain('## Paired comparisons');
  expect(md).toContain('## Distillation: student against teacher');
  // A second run resumes every finished pretraining from its checkpoint.
  const before = readFileSync(join(out, 'seed-0', 'asma', 'encoder_a.safetensors'));
  expect(await demoCommand.run(['--quick', '--out', out, '--seeds', '0'])).toBe(0);
  expect(readFileSync(join(out, 'seed-0', 'asma', 'encoder_a.safetensors')).equals(before)).toBe(true);
  // ... and still reports the time the epochs took, not the seconds spent reloading them.
  const again = readFileSync(join(out, 'report.md'), 'utf8');
  const timing = again.slice(again.indexOf('| method | pretraining time'));
  const times = [
    ...timing
      .slice(0, timing.indexOf('\n\n'))
      .matchAll(/^\| (?:ASMa|PSTL|Barlow Twins[^|]*) \| ([\d.]+) \|/gm),
  ];
  expect(times).toHaveLength(3);
  for (const t of times) expect(Number(t[1])).toBeGreaterThan(0);
  // Other data in the same folder (one camera view instead of three at this size): refused, saying what to do.
  await expect(demoCommand.run(['--quick', '--out', out, '--seeds', '0', '--cameras', '1'])).rejects.toThrow(
    /refusing to resume\. asma demo resumes the runs it finds in --out, .*choose another --out or remove/,
  );
}, 150_000);

it('rejects bad options', async () => {
  await expect(demoCommand.run(['--seeds', 'a,b'])).rejects.toThrow(UsageError);
  await expect(demoCommand.run(['--methods', 'asma,mae'])).rejects.toThrow(/unknown method 'mae'/);
  await expect(demoCommand.run(['--epochs', '0'])).rejects.toThrow(/--epochs/);
  await expect(demoCommand.run(['--semi-fractions', '0.1,0'])).rejects.toThrow(/--semi-fractions must be/);
  await expect(demoCommand.run(['--distill-alphas', '2'])).rejects.toThrow(/--distill-alphas must be/);
  await expect(demoCommand.run(['--cameras', '6'])).rejects.toThrow(/--cameras must be 1\.\.5/);
});

it("--scale paper: the paper's ST-GCN-16 encoders, 50 frames, projector 6144 at the paper's lambda; options still override", () => {
  const c = demoConfig({ scale: 'paper' }, false);
  expect(c).toMatchObject({
    frames: 50,
    base: 16,
    features: 256,
    projectorWidth: 6144,
    batchSize: 128,
    lr: 5e-3,
  });
  expect(c.lambda).toBeCloseTo(2e-4, 12);
  expect(new StGcn({ baseChannels: c.base, outChannels: c.features, rng: new Rng(0) }).numParameters()).toBe(
    STGCN16_PARAMETERS,
  );
  expect(demoConfig({ scale: 'paper', epochs: '5' }, false).pretrainEpochs).toBe(5);
  expect(() => demoConfig({ scale: 'huge' }, false)).toThrow(
    /--scale must be demo, quick or paper, got 'huge'/,
  );
  expect(() => demoConfig({ scale: 'paper' }, true)).toThrow(/contradict/);
});
