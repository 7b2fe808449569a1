import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { UsageError } from '../src/command.js';
import { evalCommand } from '../src/commands/eval.js';
import { finetuneCommand } from '../src/commands/finetune.js';
import { semiCommand } from '../src/commands/semi.js';
import { tinyEncoders, tinySplit } from './tiny-split.js';

const { dir, split } = tinySplit('asma-finetune-cli-');
let enc: { a: string; b: string };
beforeAll(async () => {
  enc = await tinyEncoders(split, join(dir, 'pre'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = (out: string) => [
  '--checkpoint',
  enc.a,
  '--data',
  split,
  '--out',
  out,
  '--epochs',
  '2',
  '--batch',
  '4',
];

it('asma finetune writes the classifier, log, curves and report; --resume trains no more', async () => {
  const out = join(dir, 'ft');
  expect(await finetuneCommand.run([...base(out), '--augment'])).toBe(0);
  for (const f of [
    'classifier.safetensors',
    'checkpoint.safetensors',
    'log.jsonl',
    'accuracy.svg',
    'loss.svg',
  ])
    expect(existsSync(join(out, f)), f).toBe(true);
  // Accuracy in % with the chance line, the loss on its own chart (they shared one axis).
  const acc = readFileSync(join(out, 'accuracy.svg'), 'utf8');
  expect(acc).toContain('accuracy (%)');
  expect(acc).toContain('data-reference="chance (20.0 %)"');
  expect(acc).not.toContain('training loss');
  expect(readFileSync(join(out, 'loss.svg'), 'utf8')).toContain('training loss');
  const r = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  expect(r).toMatchObject({ protocol: 'finetune', classes: 5, options: { epochs: 2, augment: true } });
  expect(r.history).toHaveLength(2);
  expect(r.val).not.toHaveProperty('top5'); // 5 classes: top-5 is 100 % by definition
  const before = readFileSync(join(out, 'classifier.safetensors'));
  expect(await finetuneCommand.run([...base(out), '--augment', '--resume'])).toBe(0);
  expect(readFileSync(join(out, 'classifier.safetensors')).equals(before)).toBe(true);

  // asma eval on the classifier agrees with the report's val scores.
  const confusion = join(dir, 'eval.json');
  expect(
    await evalCommand.run([
      '--classifier',
      join(out, 'classifier.safetensors'),
      '--data',
      split,
      '--out',
      confusion,
    ]),
  ).toBe(0);
  const e = JSON.parse(readFileSync(confusion, 'utf8'));
  expect(e.top1).toBe(r.val.top1);
  expect(e.confusion).toHaveLength(5);
  expect(e.classNames).toHaveLength(5); // from the split's meta.json
  expect(e.kind).toBe('safetensors');
  expect(e.confusion.flat().reduce((s: number, x: number) => s + x, 0)).toBe(e.clips);
});

it('asma semi fine-tunes on a class-balanced fraction', async () => {
  const out = join(dir, 'semi');
  expect(await semiCommand.run([...base(out), '--fraction', '0.1'])).toBe(0);
  const r = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  // max(1, round(0.1 * n_c)) clips of each of the 5 classes.
  expect(r).toMatchObject({ protocol: 'semi', fraction: 0.1, trainClips: 5 });
});

it('rejects bad fractions, bad numbers and files that are not what they should be', async () => {
  const out = join(dir, 'bad');
  await expect(semiCommand.run(base(out))).rejects.toThrow(/--fraction <x> in \(0, 1\] is required/);
  for (const f of ['0', '1.5', '-0.1', 'half'])
    await expect(semiCommand.run([...base(out), `--fraction=${f}`])).rejects.toThrow(/--fraction must be/);
  await expect(finetuneCommand.run([...base(out), '--fraction', '0.1'])).rejects.toThrow(/Unknown option/);
  await expect(finetuneCommand.run([...base(out), '--epochs', '1.5'])).rejects.toThrow(/--epochs/);
  await expect(finetuneCommand.run([...base(out), '--checkpoint', `${enc.a},${enc.b}`])).rejects.toThrow(
    /one encoder file/,
  );
  await expect(evalCommand.run(['--classifier', enc.a, '--data', split])).rejects.toThrow(
    /no 2-D "fc.weight"/,
  );
  await expect(evalCommand.run(['--classifier', 'nope', '--data', split])).rejects.toThrow(UsageError);
  await expect(evalCommand.run(['--classifier', enc.a, '--data', split, '--split', 'test'])).rejects.toThrow(
    /--split/,
  );
});
