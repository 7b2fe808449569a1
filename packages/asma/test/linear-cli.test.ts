import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeNpy } from '@asma/skeleton/node';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { UsageError } from '../src/command.js';
import { finetuneCommand } from '../src/commands/finetune.js';
import { chanceHint, linearCommand } from '../src/commands/linear.js';
import { tinyEncoders, tinySplit } from './tiny-split.js';

const { dir, split } = tinySplit('asma-linear-cli-');
let enc: { a: string; b: string };
beforeAll(async () => {
  enc = await tinyEncoders(split, join(dir, 'pre'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('asma linear evaluates concatenated encoders and writes a report and an accuracy curve', async () => {
  const out = join(dir, 'reports', 'linear.json');
  const args = ['--checkpoint', `${enc.a},${enc.b}`, '--data', split, '--epochs', '3', '--standardize'];
  expect(await linearCommand.run([...args, '--out', out])).toBe(0);
  const r = JSON.parse(readFileSync(out, 'utf8'));
  expect(r).toMatchObject({
    protocol: 'linear',
    dim: 16,
    classes: 5,
    options: { epochs: 3, standardize: true },
  });
  expect(r.history).toHaveLength(3);
  // 5 classes: top-5 would be 100 % by definition, so it is not reported.
  expect(r.val).not.toHaveProperty('top5');
  for (const s of [r.train, r.val]) expect(s.top1).toBeGreaterThanOrEqual(0);
  const chart = readFileSync(join(dir, 'reports', 'linear-accuracy.svg'), 'utf8');
  expect(chart).toContain('accuracy (%)'); // as the command prints it, not a 0-1 fraction
  expect(chart).toContain('chance (20.0 %)');
});

it('rejects missing files, bad numbers and checkpoints that are not encoders', async () => {
  await expect(linearCommand.run(['--data', split])).rejects.toThrow(UsageError);
  await expect(linearCommand.run(['--checkpoint', enc.a])).rejects.toThrow(/--data <dir> is required/);
  await expect(
    linearCommand.run(['--checkpoint', `${enc.a},nope.safetensors`, '--data', split]),
  ).rejects.toThrow(/no such file 'nope.safetensors'/);
  await expect(linearCommand.run(['--checkpoint', enc.a, '--data', split, '--lr', '-1'])).rejects.toThrow(
    /--lr/,
  );
  await expect(linearCommand.run(['--checkpoint', enc.a, '--data', join(dir, 'none')])).rejects.toThrow(
    /no such folder/,
  );
  // The training checkpoint holds the encoders under a prefix: not loadable as an encoder.
  await expect(
    linearCommand.run(['--checkpoint', join(dir, 'pre', 'checkpoint.safetensors'), '--data', split]),
  ).rejects.toThrow(/not an ST-GCN state dict/);
});

it('rejects an encoder that does not fit the clips (2 channels instead of 3)', async () => {
  const other = join(dir, 'two-channel');
  mkdirSync(other);
  for (const s of ['train', 'val']) {
    writeNpy(join(other, `${s}_position.npy`), new Float32Array(2 * 2 * 20 * 25 * 2), [2, 2, 20, 25, 2]);
    writeNpy(join(other, `${s}_label.npy`), Int32Array.from([0, 1]), [2]);
  }
  await expect(linearCommand.run(['--checkpoint', enc.a, '--data', other])).rejects.toThrow(
    /takes 3 channels x 25 joints but .* has 2 x 25/,
  );
});

it('hints at --standardize when the probe sits at chance without it', () => {
  expect(chanceHint(0.2, 5, false)).toBe(
    'hint: train top-1 is at chance (20.0 % for 5 classes); the features may need --standardize',
  );
  expect(chanceHint(0.2, 5, true)).toBeNull();
  expect(chanceHint(0.9, 5, false)).toBeNull();
});

it('--prefix reads the encoder of a classifier.safetensors (keys under encoder.)', async () => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    const ft = join(dir, 'ft');
    const ftArgs = ['--checkpoint', enc.a, '--data', split, '--out', ft, '--epochs', '1', '--batch', '4'];
    expect(await finetuneCommand.run(ftArgs)).toBe(0);
    const classifier = join(ft, 'classifier.safetensors');
    await expect(linearCommand.run(['--checkpoint', classifier, '--data', split])).rejects.toThrow(
      /is a prefix such as "encoder." needed/,
    );
    const args = ['--checkpoint', classifier, '--data', split, '--epochs', '1', '--prefix', 'encoder.'];
    expect(await linearCommand.run(args)).toBe(0);
  } finally {
    log.mockRestore();
  }
});
