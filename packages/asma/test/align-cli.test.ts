import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { UsageError } from '../src/command.js';
import { alignCommand } from '../src/commands/align.js';
import { tinyEncoders, tinySplit } from './tiny-split.js';

const { dir, split } = tinySplit('asma-align-cli-');
let enc: { a: string; b: string };
beforeAll(async () => {
  enc = await tinyEncoders(split, join(dir, 'pre'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = (out: string) => [
  '--checkpoint-a',
  enc.a,
  '--checkpoint-b',
  enc.b,
  '--data',
  split,
  '--out',
  out,
  '--epochs',
  '3',
  '--tokens',
  '2',
  '--heads',
  '2',
];

it('asma align trains the module on frozen features and writes it with a report', async () => {
  const out = join(dir, 'align');
  expect(await alignCommand.run(base(out))).toBe(0);
  for (const f of ['alignment.safetensors', 'report.json', 'accuracy.svg', 'log.jsonl'])
    expect(existsSync(join(out, f)), f).toBe(true);
  const r = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  expect(r).toMatchObject({
    protocol: 'align',
    dim: 8,
    classes: 5,
    options: { epochs: 3, tokens: 2, heads: 2 },
  });
  expect(r.history).toHaveLength(3);
  expect(r.valAccuracy).toBeGreaterThanOrEqual(0);
});

it('rejects token and head counts that do not divide the features, and missing files', async () => {
  const out = join(dir, 'bad');
  await expect(alignCommand.run([])).rejects.toThrow(UsageError);
  await expect(alignCommand.run([...base(out), '--tokens', '3'])).rejects.toThrow(
    /--tokens 3 must divide the 8/,
  );
  await expect(alignCommand.run([...base(out), '--heads', '3'])).rejects.toThrow(/--heads 3 must divide/);
  await expect(alignCommand.run([...base(out), '--checkpoint-b', 'nope'])).rejects.toThrow(
    /no such file 'nope'/,
  );
});
