/** Issue 21 defect 5: arguments and labels that used to be accepted and fail late (or never). */

import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { int64Array } from '@asma/skeleton';
import { writeNpy } from '@asma/skeleton/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/command.js';
import { evalCommand } from '../src/commands/eval.js';
import { finetuneCommand } from '../src/commands/finetune.js';
import { linearCommand } from '../src/commands/linear.js';
import { pretrainCommand } from '../src/commands/pretrain.js';
import { maxThreads, parseThreads } from '../src/threads.js';
import { tinyEncoders, tinySplit } from './tiny-split.js';

const { dir, split } = tinySplit('asma-nothing-silent-args-');
let enc: { a: string; b: string };
beforeAll(async () => {
  enc = await tinyEncoders(split, join(dir, 'pre'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the tiny split whose train labels are `labels`; meta.json (5 class names) kept unless `meta` is false. */
function relabelled(name: string, labels: number[], meta = true): string {
  const out = join(dir, name);
  mkdirSync(out);
  for (const f of ['train_position.npy', 'val_position.npy', 'val_label.npy', ...(meta ? ['meta.json'] : [])])
    copyFileSync(join(split, f), join(out, f));
  writeNpy(join(out, 'train_label.npy'), int64Array(labels), [labels.length]);
  return out;
}

describe('--threads and counts', () => {
  it('refuses --threads above twice the cores, with the reason', () => {
    const cores = availableParallelism();
    expect(() => parseThreads(['bench', '--threads', '1000'], {})).toThrow(UsageError);
    expect(() => parseThreads(['bench', '--threads', '1000'], {})).toThrow(
      `--threads: 1000 threads on a machine with ${cores} cores; at most ${maxThreads(cores)}`,
    );
    expect(() => parseThreads(['bench'], { ASMA_THREADS: '1000' })).toThrow(/^ASMA_THREADS: 1000 threads/);
    expect(parseThreads(['bench', '--threads', String(maxThreads(cores))], {}).threads).toBe(
      maxThreads(cores),
    );
  });

  it('refuses --epochs 1e99 (an integer to JavaScript, not a count)', async () => {
    const args = ['--data', split, '--method', 'pstl', '--out', join(dir, 'e99'), '--epochs', '1e99'];
    await expect(pretrainCommand.run(args)).rejects.toThrow(
      `--epochs must be at most ${Number.MAX_SAFE_INTEGER}, got '1e99'`,
    );
  });
});

describe('labels', () => {
  it('a label above the classes meta.json declares is refused, naming both files', async () => {
    const data = relabelled('label-1000', [0, 1, 2, 3, 4, 0, 1, 2, 3, 1000]);
    const args = [
      '--checkpoint',
      enc.a,
      '--data',
      data,
      '--out',
      join(dir, 'ft-1000'),
      '--epochs',
      '1',
      '--batch',
      '4',
    ];
    await expect(finetuneCommand.run(args)).rejects.toThrow(
      `${join(data, 'train_label.npy')}: label 9 is 1000, but ${join(data, 'meta.json')} declares 5 classes (0..4)`,
    );
  });

  it('a huge label is a named error, not an allocation failure', async () => {
    const data = relabelled('label-huge', [0, 1, 2, 3, 4, 0, 1, 2, 3, 2 ** 31 - 1], false);
    const args = [
      '--checkpoint',
      enc.a,
      '--data',
      data,
      '--out',
      join(dir, 'ft-huge'),
      '--epochs',
      '1',
      '--batch',
      '4',
    ];
    await expect(finetuneCommand.run(args)).rejects.toThrow(
      `${join(data, 'train_label.npy')}: label 9 is 2147483647; class indices must be below 100000 (a corrupt label file?)`,
    );
  });

  it('eval names the label file for a label the classifier does not know', async () => {
    const out = join(dir, 'ft');
    const ftArgs = ['--checkpoint', enc.a, '--data', split, '--out', out, '--epochs', '1', '--batch', '4'];
    expect(await finetuneCommand.run(ftArgs)).toBe(0);
    const data = join(dir, 'eval-7');
    mkdirSync(data);
    for (const f of ['train_position.npy', 'train_label.npy', 'val_position.npy'])
      copyFileSync(join(split, f), join(data, f));
    writeNpy(join(data, 'val_label.npy'), int64Array([0, 1, 2, 3, 7]), [5]);
    writeFileSync(join(data, 'README'), 'no meta.json: labels are bounded by the classifier only');
    await expect(
      evalCommand.run(['--classifier', join(out, 'classifier.safetensors'), '--data', data]),
    ).rejects.toThrow(
      `${join(data, 'val_label.npy')}: clip 4 has label 7 but the classifier knows 5 classes`,
    );
  });
});

describe('defect 6: output locations are checked before any work', () => {
  // Root ignores folder permissions, so the unwritable folder here is one below a regular file.
  const blocked = () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    return join(file, 'out');
  };

  it('pretrain, finetune, linear and eval refuse an output they cannot write, before training', async () => {
    const out = blocked();
    const cases: [string, () => Promise<number>][] = [
      [
        'pretrain',
        () => pretrainCommand.run(['--data', split, '--method', 'pstl', '--out', out, '--epochs', '1']),
      ],
      [
        'finetune',
        () => finetuneCommand.run(['--checkpoint', enc.a, '--data', split, '--out', out, '--epochs', '1']),
      ],
      [
        'linear',
        () => linearCommand.run(['--checkpoint', enc.a, '--data', split, '--out', join(out, 'r.json')]),
      ],
      ['eval', () => evalCommand.run(['--classifier', enc.a, '--data', split, '--out', join(out, 'r.json')])],
    ];
    for (const [name, run] of cases) {
      const started = performance.now();
      await expect(run(), name).rejects.toThrow(
        new RegExp(`^--out: cannot write to the folder '${out}.*' \\(ENOTDIR`),
      );
      expect(performance.now() - started, name).toBeLessThan(2000);
    }
  });
});
