import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NpyReader } from '@asma/skeleton/node';
import { afterAll, expect, it } from 'vitest';
import { UsageError } from '../src/command.js';
import { dataSynthCommand } from '../src/commands/data-synth.js';

const dir = mkdtempSync(join(tmpdir(), 'asma-synth-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('asma data synth writes both splits', async () => {
  const code = await dataSynthCommand.run([
    '--out',
    dir,
    '--per-class',
    '6',
    '--classes',
    '4',
    '--seed',
    '3',
  ]);
  expect(code).toBe(0);
  for (const split of ['xsub', 'xview']) {
    const train = NpyReader.open(join(dir, split, 'train_position.npy'));
    const val = NpyReader.open(join(dir, split, 'val_position.npy'));
    expect(train.rows + val.rows).toBe(24);
    expect(train.shape.slice(1)).toEqual([3, 50, 25, 2]);
    train.close();
    val.close();
  }
});

it('rejects bad arguments with a UsageError', async () => {
  await expect(dataSynthCommand.run([])).rejects.toThrow(UsageError);
  await expect(dataSynthCommand.run(['--out', dir, '--split', 'xset'])).rejects.toThrow(/--split/);
  await expect(dataSynthCommand.run(['--out', dir, '--per-class', '-1'])).rejects.toThrow(/--per-class/);
  await expect(dataSynthCommand.run(['--out', dir, '--cameras', '9'])).rejects.toThrow(/cameras/);
});
