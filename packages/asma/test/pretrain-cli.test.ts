import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeNpy } from '@asma/skeleton/node';
import { afterAll, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { UsageError } from '../src/command.js';
import { pretrainCommand } from '../src/commands/pretrain.js';
import { tinyModel, tinySplit } from './tiny-split.js';

const { dir, split } = tinySplit('asma-pretrain-cli-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const asma = (out: string, ...extra: string[]) => [
  '--data',
  split,
  '--method',
  'asma',
  '--out',
  out,
  '--epochs',
  '2',
  ...tinyModel,
  ...extra,
];

it('asma pretrain writes both encoders, the checkpoint, the log and a loss curve per term', async () => {
  const out = join(dir, 'asma');
  expect(await pretrainCommand.run(asma(out))).toBe(0);
  for (const f of ['encoder_a', 'encoder_b', 'checkpoint'])
    expect(existsSync(join(out, `${f}.safetensors`)), f).toBe(true);
  const log = readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n');
  expect(log).toHaveLength(2);
  const svg = readFileSync(join(out, 'loss.svg'), 'utf8');
  for (const name of ['total', 'a/spatial', 'a/temporal', 'b/spatial', 'b/temporal'])
    expect(svg).toContain(name);

  // --resume after a finished run trains nothing and rewrites identical encoders.
  const before = readFileSync(join(out, 'encoder_a.safetensors'));
  expect(await pretrainCommand.run(asma(out, '--resume'))).toBe(0);
  expect(readFileSync(join(out, 'encoder_a.safetensors')).equals(before)).toBe(true);
  expect(readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
});

it('takes a plain clips file (--train-data) and zero masks', async () => {
  const out = join(dir, 'pstl');
  const args = ['--train-data', join(split, 'train_position.npy'), '--method', 'pstl', '--out', out];
  expect(
    await pretrainCommand.run([
      ...args,
      '--epochs',
      '1',
      '--mask',
      'zero',
      '--selection',
      'sampled',
      ...tinyModel,
    ]),
  ).toBe(0);
  expect(existsSync(join(out, 'encoder.safetensors'))).toBe(true);
});

it('rejects bad arguments with one-line errors', async () => {
  const out = join(dir, 'bad');
  await expect(pretrainCommand.run([])).rejects.toThrow(UsageError);
  await expect(pretrainCommand.run(asma(out, '--method', 'mae'))).rejects.toThrow(/--method must be one of/);
  await expect(pretrainCommand.run(asma(out, '--lr', 'fast'))).rejects.toThrow(/--lr must be a number/);
  await expect(pretrainCommand.run(asma(out, '--epochs', '0'))).rejects.toThrow(/--epochs/);
  await expect(pretrainCommand.run(asma(out, '--mask', 'blur'))).rejects.toThrow(/--mask/);
  await expect(
    pretrainCommand.run(asma(out, '--motion-drops', '10', '--random-drops', '10')),
  ).rejects.toThrow(/below the 20 frames/);
  await expect(
    pretrainCommand.run(['--data', join(dir, 'nope'), '--method', 'asma', '--out', out]),
  ).rejects.toThrow(/no such folder/);
  await expect(
    pretrainCommand.run(['--data', join(split, 'train_position.npy'), '--method', 'asma', '--out', out]),
  ).rejects.toThrow(/is a file/);
  // Through the command line: usage errors exit 2, library errors (no full batch) exit 1.
  expect(await main(['pretrain', ...asma(out, '--batch', 'x')])).toBe(2);
  expect(await main(['pretrain', ...asma(out, '--batch', '64')])).toBe(1);
});

it('a 17-joint file gets a layout error naming the shape (it failed inside flipJoints)', async () => {
  const coco = join(dir, 'coco17.npy');
  writeNpy(coco, new Float32Array(4 * 3 * 20 * 17 * 1), [4, 3, 20, 17, 1]);
  await expect(
    pretrainCommand.run(['--train-data', coco, '--method', 'asma', '--out', join(dir, 'coco'), ...tinyModel]),
  ).rejects.toThrow(
    /clips of shape \(N, 3, T, 17, 1\) have 17 joints x 3 channels; asma pretrain uses the NTU-25 layout/,
  );
});

it('the drop defaults scale with the clip length (10 + 10 of 50 failed on 20-frame clips)', async () => {
  const args = ['--data', split, '--method', 'asma', '--out', join(dir, 'scaled'), '--epochs', '1'];
  const small = ['--base', '2', '--features', '8', '--width', '16', '--batch', '4'];
  expect(await pretrainCommand.run([...args, ...small])).toBe(0);
});
