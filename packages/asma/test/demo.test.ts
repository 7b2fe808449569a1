import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { UsageError } from '../src/command.js';
import { demoCommand } from '../src/commands/demo.js';

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
  // A second run resumes every finished pretraining from its checkpoint.
  const before = readFileSync(join(out, 'seed-0', 'asma', 'encoder_a.safetensors'));
  expect(await demoCommand.run(['--quick', '--out', out, '--seeds', '0'])).toBe(0);
  expect(readFileSync(join(out, 'seed-0', 'asma', 'encoder_a.safetensors')).equals(before)).toBe(true);
  // ... and still reports the time the epochs took, not the seconds spent reloading them.
  const times = [
    ...readFileSync(join(out, 'report.md'), 'utf8').matchAll(
      /^\| (?:ASMa|PSTL|Barlow Twins[^|]*) \| ([\d.]+) \|/gm,
    ),
  ];
  expect(times).toHaveLength(3);
  for (const t of times) expect(Number(t[1])).toBeGreaterThan(0);
}, 60_000);

it('rejects bad options', async () => {
  await expect(demoCommand.run(['--seeds', 'a,b'])).rejects.toThrow(UsageError);
  await expect(demoCommand.run(['--methods', 'asma,mae'])).rejects.toThrow(/unknown method 'mae'/);
  await expect(demoCommand.run(['--epochs', '0'])).rejects.toThrow(/--epochs/);
});
