import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { pretrainCommand } from '../src/commands/pretrain.js';
import { tinyModel, tinySplit } from './tiny-split.js';

const { dir, split } = tinySplit('asma-progress-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('off a terminal, training prints one line per epoch with its mean loss, rate and ETA', async () => {
  const err: string[] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    const args = [
      '--data',
      split,
      '--method',
      'pstl',
      '--out',
      join(dir, 'p'),
      '--epochs',
      '2',
      ...tinyModel,
    ];
    expect(await pretrainCommand.run(args)).toBe(0);
  } finally {
    spy.mockRestore();
    log.mockRestore();
  }
  const epochs = err.filter((l) => /epoch \d\/2 mean loss/.test(l));
  expect(epochs).toHaveLength(2);
  expect(epochs[0]).toMatch(/epoch 1\/2 mean loss [\d.e+-]+ \[\d+\/\d+ samples, [\d.]+ samples\/s, ETA /);
});
